"""Text normalisation shared by the catalogue compiler and the scorer.

Everything the matchers see goes through :func:`normalize`, so expressions in the
catalogue and trainees' replies meet on the same form: half-width ASCII
punctuation, simplified characters, lower case, no emoji, single spaces.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Common traditional characters seen in trainees' typing (Taiwan/HK input methods,
# copied texts).  Only characters that are never simplified forms themselves are
# listed, so mapping them cannot damage simplified text.
_TRADITIONAL = (
    "對價統實歡謝請們貨質後務這個買賣錢總麼嗎為說會時間問題產裝來還讓點給幫聽紹"
    "級優禮無沒與從現發單號電話圓萬兩雙貴錯臨銷暢過進種樣條專業廠廣戶顧擔試選擇處"
    "換壞維護應該當準確認識調歸屬證書寫畫邊遠關開門幾張長寬顏紅綠藍黃櫃廚衛臥櫥燈"
    "飾設計訂製預約費額數據齊鐘頭腦興歲愛親節慶氣熱誠懇態聲響樂聯繫係網絡線車運輸"
    "達遲誤讀論議講談諒謂謹賠償責負勞煩囉纏傢麵髮隻裡裏臺檯複復幹範衝週瞭於餘彆"
    "嗎麼個們裝飾說話讓謝請識這樣種類廳層將來時實現場義劃動長門問闆辦務勢區標準"
    "質檢驗獎勵鬆緊張靜淨潔誌顯顆類頁順須領頻題額風飛飯養餐馬驚體髒鬧魚鳥點黨齡"
    "們儘價優億僅傳債傷傾僑儀儲兒內凍剛劑創劇勁勝勸勻匯卻厲參叢吳呂員唄啟啞喚喪"
    "嘆嚇嚴園圍國圖團壓墊壯壺夢夾奪奮嬌孫學寧實審寶寵尋對導屆層岡島峽崗嶺幣幫庫"
    "廢廟弔彈彥後從徵憂憐憶懶懷戀戰戲拋挾捨掃掛採揀換搖撐撥擁擋擔據擠擬擴擾攜敗"
    "斂斷晉曉曬朧東柵棄棟棧森椅樓樞標樣樹橋機檔檢權歐歲歷殘殼毀氈決沖況洶淚淺渦"
    "減溝滅滿漢漲漸潤濃濕濟濤濫濱灑災炮烏無煉煙熱燒營爐爭爺牆犧狀猶獨獲獻環現瑣"
    "璽甕產畝異畫當療癢發盜監盤盧眾睏矯礎祿禍禦禮禱稅稱穩窩窮竄競筆築籃簽簡籌糧"
    "糾紀約紅紋納紐純紗紙級紛素細終組結絕絡給統絲經綁綜綠維綱網緊緒線締編緩練縣"
    "總績繁織繞繩繪繳續罰罷羅義習聖聞聯聰聲職聽肅脅脈脫腫膚膠艙艦艱藝節範薦藥蘇"
    "處號蟲蠟補裝裡製複襯襪覆見規視覽親覺觀觸訂計訊討訓託記訪設許訴診証評詞試詩"
    "該詳誇認誓誕語誠誤說誰課調談請諸論諾謀謊謙講謝證識譜警譯議護讀變讓讚豐豎貝"
    "負財貢貧貨販貪貫責貴貸費貼貿賀資賊賓賜賞賠賢賣賤質賬賴賺購賽贈贊趕趙跡踐蹤"
    "躍車軌軍軟軸較載輔輕輛輝輩輪輯輸轉轟辦辭農迴逕這連進遊運過達違遞遠適遲遷選"
    "遺邊鄉鄰醫釋針釣鈔鈴鉤銀銅銘銳銷鋁鋒鋪鋼錄錦錢錫錯鍋鍵鍾鎖鎮鏡鐵鑑鑰長門閃"
    "閉開閒間閱闊關闖陣陰陸陳陽隊階際隨險隱雖雙雜離難雲電霧靈靜韓響頂項順須預頑"
    "頓頗領頭頰頸頻顆題額顏願類顧顯風颱飄飛飢飯飲飽飾餅餓館饅饒馬駁駐駕駛騎騙騰"
    "驗驚驢髮鬆鬥鬧鬍魚鮮鳥鳴鴨鵝鹽麥黃點黨齊齒龍龜"
)
_SIMPLIFIED = (
    "对价统实欢谢请们货质后务这个买卖钱总么吗为说会时间问题产装来还让点给帮听绍"
    "级优礼无没与从现发单号电话圆万两双贵错临销畅过进种样条专业厂广户顾担试选择处"
    "换坏维护应该当准确认识调归属证书写画边远关开门几张长宽颜红绿蓝黄柜厨卫卧橱灯"
    "饰设计订制预约费额数据齐钟头脑兴岁爱亲节庆气热诚恳态声响乐联系系网络线车运输"
    "达迟误读论议讲谈谅谓谨赔偿责负劳烦啰缠家面发只里里台台复复干范冲周了于余别"
    "吗么个们装饰说话让谢请识这样种类厅层将来时实现场义划动长门问板办务势区标准"
    "质检验奖励松紧张静净洁志显颗类页顺须领频题额风飞饭养餐马惊体脏闹鱼鸟点党龄"
    "们尽价优亿仅传债伤倾侨仪储儿内冻刚剂创剧劲胜劝匀汇却厉参丛吴吕员呗启哑唤丧"
    "叹吓严园围国图团压垫壮壶梦夹夺奋娇孙学宁实审宝宠寻对导届层冈岛峡岗岭币帮库"
    "废庙吊弹彦后从征忧怜忆懒怀恋战戏抛挟舍扫挂采拣换摇撑拨拥挡担据挤拟扩扰携败"
    "敛断晋晓晒胧东栅弃栋栈森椅楼枢标样树桥机档检权欧岁历残壳毁毡决冲况汹泪浅涡"
    "减沟灭满汉涨渐润浓湿济涛滥滨洒灾炮乌无炼烟热烧营炉争爷墙牺状犹独获献环现琐"
    "玺瓮产亩异画当疗痒发盗监盘卢众困矫础禄祸御礼祷税称稳窝穷窜竞笔筑篮签简筹粮"
    "纠纪约红纹纳纽纯纱纸级纷素细终组结绝络给统丝经绑综绿维纲网紧绪线缔编缓练县"
    "总绩繁织绕绳绘缴续罚罢罗义习圣闻联聪声职听肃胁脉脱肿肤胶舱舰艰艺节范荐药苏"
    "处号虫蜡补装里制复衬袜覆见规视览亲觉观触订计讯讨训托记访设许诉诊证评词试诗"
    "该详夸认誓诞语诚误说谁课调谈请诸论诺谋谎谦讲谢证识谱警译议护读变让赞丰竖贝"
    "负财贡贫货贩贪贯责贵贷费贴贸贺资贼宾赐赏赔贤卖贱质账赖赚购赛赠赞赶赵迹践踪"
    "跃车轨军软轴较载辅轻辆辉辈轮辑输转轰办辞农回迳这连进游运过达违递远适迟迁选"
    "遗边乡邻医释针钓钞铃钩银铜铭锐销铝锋铺钢录锦钱锡错锅键钟锁镇镜铁鉴钥长门闪"
    "闭开闲间阅阔关闯阵阴陆陈阳队阶际随险隐虽双杂离难云电雾灵静韩响顶项顺须预顽"
    "顿颇领头颊颈频颗题额颜愿类顾显风台飘飞饥饭饮饱饰饼饿馆馒饶马驳驻驾驶骑骗腾"
    "验惊驴发松斗闹胡鱼鲜鸟鸣鸭鹅盐麦黄点党齐齿龙龟"
)
assert len(_TRADITIONAL) == len(_SIMPLIFIED), "traditional/simplified tables differ"

_CHAR_MAP: dict[int, str] = {
    ord(t): s for t, s in zip(_TRADITIONAL, _SIMPLIFIED, strict=True)
}
_CHAR_MAP.update(
    {
        ord("，"): ",",
        ord("、"): "/",  # enumeration: not a clause boundary
        ord("。"): ".",
        ord("．"): ".",
        ord("！"): "!",
        ord("？"): "?",
        ord("；"): ";",
        ord("："): ":",
        ord("“"): '"',
        ord("”"): '"',
        ord("‘"): "'",
        ord("’"): "'",
        ord("「"): '"',
        ord("」"): '"',
        ord("『"): '"',
        ord("』"): '"',
        ord("《"): '"',
        ord("》"): '"',
        ord("（"): "(",
        ord("）"): ")",
        ord("【"): "(",
        ord("】"): ")",
        ord("～"): "~",
        ord("—"): "-",
        ord("–"): "-",
        ord("…"): ".",
        ord("·"): " ",
        ord("\u3000"): " ",
        ord("￥"): "¥",
    }
)
# Words whose simplified form is not a character-by-character mapping, and
# colloquial spellings that mean exactly the standard word.
_WORD_MAP = {
    "傢俱": "家具",
    "傢具": "家具",
    "啥": "什么",
    "咋": "怎么",
    "木有": "没有",
    "神马": "什么",
    # Colloquial verbs of looking (瞅一眼, 瞧瞧): the same as 看 for every rule.
    "瞅": "看",
    "瞧": "看",
}

_EMOJI = re.compile(
    "["
    "\U0001f000-\U0001faff"  # pictographs, emoticons, transport, symbols
    "\U00002600-\U000027bf"  # misc symbols, dingbats
    "\U00002b00-\U00002bff"  # arrows, stars
    "\U0000fe00-\U0000fe0f"  # variation selectors
    "\U0000200d"  # zero-width joiner
    "\U000020e3"  # keycap
    "\U0001f1e6-\U0001f1ff"  # flags
    "]+"
)
# WeChat / WeCom emoticon codes such as [微笑] or [抱拳].
_WECHAT_EMOTICON = re.compile(r"\[[\u4e00-\u9fff]{1,4}\]|/:[a-z<>@!?&*)(]{1,8}")
_THOUSANDS_COMMA = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
_SPACES = re.compile(r"[ \t\r\f\v]+")
_REPEATED_PUNCT = re.compile(r"([,.!?;:~])[,.!?;:~]*")
_SPACE_NEXT_TO_PUNCT = re.compile(r" ?([,.!?;:~\n]) ?")


@lru_cache(maxsize=4096)
def normalize(text: str) -> str:
    """Return the canonical form of ``text`` used for every comparison."""
    if not text:
        return ""
    for traditional, simplified in _WORD_MAP.items():
        text = text.replace(traditional, simplified)
    text = _WECHAT_EMOTICON.sub(" ", text)
    text = _EMOJI.sub(" ", text)
    text = text.translate(_CHAR_MAP)
    # NFKC folds full-width letters, digits and ASCII punctuation to half width.
    text = unicodedata.normalize("NFKC", text).translate(_CHAR_MAP).lower()
    text = _THOUSANDS_COMMA.sub("", text)
    text = _SPACES.sub(" ", text)
    text = _REPEATED_PUNCT.sub(r"\1", text)
    text = _SPACE_NEXT_TO_PUNCT.sub(r"\1", text)
    return text.strip()
