function createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt){
  if(_nPageCount == null || _nPageCount<=1){ return; }
  var nCurrIndex = _nCurrIndex || 0;
  function u(i){ return i==0 ? _sPageName+"."+_sPageExt : _sPageName+"_"+i+"."+_sPageExt; }
  if(nCurrIndex == 0){ document.write("<span>首页</span>&nbsp;<span>上一页</span>&nbsp;"); }
  else { document.write("<a href=\""+u(0)+"\">首页</a>&nbsp;<a href=\""+u(nCurrIndex-1)+"\">上一页</a>&nbsp;"); }
  for(var i=0;i<_nPageCount;i++){
    if(i==nCurrIndex){ document.write("<span class=\"cur\">"+(i+1)+"</span>&nbsp;"); }
    else if(Math.abs(i-nCurrIndex)<5){ document.write("<a href=\""+u(i)+"\">"+(i+1)+"</a>&nbsp;"); }
  }
  if(nCurrIndex == _nPageCount-1){ document.write("<span>下一页</span>&nbsp;<span>尾页</span>"); }
  else { document.write("<a href=\""+u(nCurrIndex+1)+"\">下一页</a>&nbsp;<a href=\""+u(_nPageCount-1)+"\">尾页</a>"); }
}
