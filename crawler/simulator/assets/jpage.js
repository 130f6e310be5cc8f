(function(){
  function render(box, xml){
    var doc = new DOMParser().parseFromString(xml, "text/xml");
    var out = box.querySelector(".jpage-list") || document.createElement("div");
    out.className = "jpage-list"; out.innerHTML = "";
    var records = doc.getElementsByTagName("record");
    for (var i = 0; i < records.length; i++) { out.innerHTML += records[i].textContent; }
    box.appendChild(out);
    return doc;
  }
  function proxy(box, page){
    var p = box.dataset;
    var per = parseInt(p.perpage, 10);
    var start = (page - 1) * per + 1, end = page * per;
    var xhr = new XMLHttpRequest();
    xhr.open("POST", "/module/web/jpage/dataproxy.jsp?startrecord=" + start + "&endrecord=" + end + "&perpage=" + per);
    xhr.setRequestHeader("Content-Type", "application/x-www-form-urlencoded");
    xhr.onload = function(){ render(box, xhr.responseText); pager(box, page); };
    xhr.send("col=1&appid=1&webid=" + p.webid + "&path=%2F&columnid=" + p.columnid +
             "&sourceContentType=1&unitid=" + p.unitid + "&webname=" + encodeURIComponent(p.webname) +
             "&permissiontype=0");
  }
  function pager(box, page){
    var total = parseInt(box.dataset.total, 10), per = parseInt(box.dataset.perpage, 10);
    var pages = Math.ceil(total / per);
    var nav = box.querySelector(".jpage-pager") || document.createElement("div");
    nav.className = "jpage-pager"; nav.innerHTML = "";
    for (var i = 1; i <= pages; i++) {
      var a = document.createElement("a"); a.href = "javascript:void(0)"; a.textContent = String(i);
      a.onclick = (function(n){ return function(){ proxy(box, n); }; })(i);
      nav.appendChild(a);
    }
    box.appendChild(nav);
  }
  var boxes = document.querySelectorAll("div[data-jpage]");
  for (var i = 0; i < boxes.length; i++) {
    var s = boxes[i].querySelector("script[type='text/xml']");
    if (s) { render(boxes[i], s.textContent); pager(boxes[i], 1); }
  }
})();
