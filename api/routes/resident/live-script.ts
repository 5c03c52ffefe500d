/**
 * The optional script of the QR page: refreshes the state line every 15 s from
 * state.json. The page is complete without it; old phones that fail here lose nothing.
 */
export const LIVE_SCRIPT = `(function(){
var s=document.getElementById('state');if(!s||!window.fetch)return;
var lang=s.getAttribute('data-lang')||'zh';
var url=location.pathname.replace(/\\/$/,'')+'/state.json?lang='+lang;
function tick(){fetch(url,{cache:'no-store'}).then(function(r){return r.ok?r.json():null}).then(function(d){
if(!d)return;s.className='state s-'+d.condition;
document.getElementById('condition').textContent=d.label;
document.getElementById('heard').textContent=d.heard;}).catch(function(){});}
setInterval(tick,15000);})();
`;
