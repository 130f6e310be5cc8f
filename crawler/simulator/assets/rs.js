(function(){
var ts=window.$_ts||{}; var m=document.querySelector("meta[r='m']");
var cd=ts.cd||""; var mc=m?m.getAttribute("content"):"";
function fnv(t){var h=0x811c9dc5;for(var r=0;r<%(rounds)d;r++){for(var i=0;i<t.length;i++){h^=t.charCodeAt(i);h=Math.imul(h,0x01000193)>>>0;}h^=r;h=Math.imul(h,0x01000193)>>>0;}return ("00000000"+h.toString(16)).slice(-8);}
var tries=parseInt(sessionStorage.getItem("$_rs")||"0",10);
if(tries>=3){document.documentElement.innerHTML="";return;}
sessionStorage.setItem("$_rs",String(tries+1));
document.cookie="%(name)s=0"+fnv(cd+mc)+cd.substring(0,16)+"; path=/";
setTimeout(function(){location.reload();},800);
})();
