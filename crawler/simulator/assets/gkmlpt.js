(function(){
  var cfg = window._CONFIG || {};
  function cat(){ var h = (location.hash || "").replace("#", ""); return h || cfg.DEFAULT_CAT; }
  function fmt(t){ var d = new Date(t * 1000 + 8 * 3600 * 1000);
    return d.toISOString().substring(0, 10); }
  function load(page){
    var c = cat();
    var xhr = new XMLHttpRequest();
    xhr.open("GET", "/gkmlpt/api/all/" + c + "?page=" + page + "&sid=" + cfg.SID);
    xhr.onload = function(){
      if (xhr.status != 200) { return; }
      var d = JSON.parse(xhr.responseText);
      var ul = document.getElementById("gk-list");
      ul.innerHTML = "";
      (d.articles || []).forEach(function(a){
        var li = document.createElement("li");
        var link = document.createElement("a");
        link.href = a.url; link.textContent = a.title; link.target = "_blank";
        var span = document.createElement("span");
        span.textContent = fmt(a.display_publish_time);
        li.appendChild(link); li.appendChild(span); ul.appendChild(li);
      });
      var pager = document.getElementById("gk-pager");
      pager.innerHTML = "";
      var pages = Math.ceil((d.total || 0) / (cfg.PAGE_SIZE || 10));
      for (var i = 1; i <= pages; i++) {
        var b = document.createElement("a");
        b.href = "javascript:void(0)"; b.textContent = String(i);
        b.className = i == page ? "page-item active" : "page-item";
        b.onclick = (function(n){ return function(){ load(n); }; })(i);
        pager.appendChild(b);
      }
      document.getElementById("gk-total").textContent = "共" + (d.total || 0) + "条";
    };
    xhr.send();
  }
  window.addEventListener("hashchange", function(){ load(1); });
  load(1);
})();
