function sha1(s){function r(n,c){return(n<<c)|(n>>>(32-c));}
var b=unescape(encodeURIComponent(s)),l=b.length,w=[],i,j;for(i=0;i<l;i++)w[i>>2]|=b.charCodeAt(i)<<(24-(i%4)*8);
w[l>>2]|=0x80<<(24-(l%4)*8);w[((l+8>>6)<<4)+15]=l*8;var h0=0x67452301,h1=0xEFCDAB89,h2=0x98BADCFE,h3=0x10325476,h4=0xC3D2E1F0;
for(i=0;i<w.length;i+=16){var a=h0,b2=h1,c=h2,d=h3,e=h4,x=[];for(j=0;j<80;j++){x[j]=j<16?(w[i+j]|0):r(x[j-3]^x[j-8]^x[j-14]^x[j-16],1);
var f=j<20?((b2&c)|(~b2&d))+0x5A827999:j<40?(b2^c^d)+0x6ED9EBA1:j<60?((b2&c)|(b2&d)|(c&d))+0x8F1BBCDC:(b2^c^d)+0xCA62C1D6;
var t=(r(a,5)+f+e+x[j])|0;e=d;d=c;c=r(b2,30);b2=a;a=t;}h0=(h0+a)|0;h1=(h1+b2)|0;h2=(h2+c)|0;h3=(h3+d)|0;h4=(h4+e)|0;}
var o="";[h0,h1,h2,h3,h4].forEach(function(v){o+=("00000000"+(v>>>0).toString(16)).slice(-8);});return o;}
function go(p){
  var c=p.chars,n=c.length;
  for(var i=0;i<n;i++){for(var j=0;j<n;j++){
    var v=p.bts[0]+c[i]+c[j]+p.bts[1];
    if(sha1(v)==p.ct){
      document.cookie=p.tn+'='+v+';max-age='+p.vt+';path=/';
      setTimeout(function(){location.href=location.pathname+location.search},parseInt(p.wt,10));
      return;
    }
  }}
}
