# ruff: noqa: RUF001  (Chinese and Japanese texts use full-width punctuation)
"""The sim's words: topics, templates, the violation vocabulary per rule, names and numbers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

RULE_IDS: Final[tuple[str, ...]] = (
    "spam.bulk",
    "spam.links",
    "scam.phishing",
    "scam.advance_fee",
    "scam.fake_giveaway",
    "harassment.targeted",
    "harassment.insults",
    "threat.violence",
    "hate.dehumanising",
    "minors.sexualisation",
    "minors.grooming",
    "selfharm.promotion",
    "privacy.doxxing",
    "privacy.intimate_images",
    "ip.piracy",
    "products.illegal_drugs",
    "products.weapons",
    "violence.glorification",
    "terror.propaganda",
    "impersonation",
    "manipulation.fake_engagement",
    "consumer.fake_reviews",
    "animal.cruelty",
)
"""Every rule id of the default policy, in the policy's order."""

SEVERE_RULES: Final[tuple[str, ...]] = (
    "minors.sexualisation",
    "minors.grooming",
    "terror.propaganda",
    "privacy.intimate_images",
)
"""Rules whose content the simulation keeps rare and shows only as withheld placeholders."""


@dataclass(frozen=True)
class Topic:
    """A subject of ordinary conversation, with words to talk about it in three languages."""

    name: str
    things: tuple[str, ...]
    doing: tuple[str, ...]
    category: str
    problems: tuple[str, ...]
    zh: tuple[str, ...]
    ja: tuple[str, ...]


TOPICS: Final[tuple[Topic, ...]] = (
    Topic(
        "cooking",
        (
            "sourdough",
            "ramen",
            "lasagne",
            "green curry",
            "banana bread",
            "risotto",
            "fish tacos",
            "dumplings",
            "pancakes",
            "kimchi",
            "my cast-iron pan",
            "the air fryer",
        ),
        (
            "baking sourdough",
            "making fresh pasta",
            "meal prepping for the week",
            "fermenting hot sauce",
            "cooking ramen from scratch",
            "trying a new curry recipe",
        ),
        "recipe for a lazy Sunday",
        ("coming out too dry", "sticking to the pan", "going flat", "tasting bland"),
        ("红烧肉", "饺子", "火锅", "蛋炒饭", "拉面", "月饼", "包子"),
        ("ラーメン", "カレー", "おにぎり", "天ぷら", "味噌汁", "たこ焼き", "お好み焼き"),
    ),
    Topic(
        "running",
        (
            "trail shoes",
            "a 10k plan",
            "interval training",
            "a foam roller",
            "my GPS watch",
            "the couch-to-5k app",
            "parkrun",
            "energy gels",
        ),
        (
            "running in the rain",
            "training for a half marathon",
            "doing hill repeats",
            "stretching after runs",
            "running before work",
        ),
        "running route",
        ("giving me blisters", "losing signal in the woods", "hurting my knees"),
        ("跑步", "马拉松", "健身房", "瑜伽", "夜跑", "越野跑"),
        ("ランニング", "マラソン", "ジム", "ヨガ", "朝ラン"),
    ),
    Topic(
        "football",
        (
            "the new away kit",
            "last night's match",
            "the transfer window",
            "five-a-side",
            "our goalkeeper",
            "the youth academy",
            "season tickets",
        ),
        (
            "watching the derby",
            "playing five-a-side",
            "coaching the under-10s",
            "going to away games",
        ),
        "football stadium",
        ("losing in the last minute", "going to penalties", "conceding from corners"),
        ("足球", "世界杯", "球赛", "篮球"),
        ("サッカー", "野球", "試合", "ワールドカップ"),
    ),
    Topic(
        "tech",
        (
            "a mechanical keyboard",
            "the Raspberry Pi",
            "my Linux laptop",
            "a home server",
            "an e-reader",
            "noise-cancelling headphones",
            "Rust",
            "a 3D printer",
            "the new phone",
        ),
        (
            "setting up a home server",
            "learning Rust",
            "building a mechanical keyboard",
            "flashing new firmware",
            "writing a small game",
        ),
        "text editor",
        ("overheating", "dropping the Wi-Fi connection", "crashing after updates"),
        ("机械键盘", "树莓派", "编程", "新手机", "耳机"),
        ("プログラミング", "自作キーボード", "スマホ", "ヘッドホン"),
    ),
    Topic(
        "travel",
        (
            "Lisbon",
            "night trains",
            "Kyoto",
            "the Scottish Highlands",
            "a carry-on backpack",
            "hostel kitchens",
            "Iceland's ring road",
            "Hoi An",
        ),
        (
            "travelling with only a carry-on",
            "hiking the coastal path",
            "planning a rail trip",
            "camping by the lake",
        ),
        "city for a weekend trip",
        ("getting delayed", "losing my luggage", "booking the wrong dates"),
        ("京都", "大理", "自驾游", "民宿", "旅行"),
        ("京都", "北海道", "温泉", "一人旅", "沖縄"),
    ),
    Topic(
        "gardening",
        (
            "cherry tomatoes",
            "basil",
            "a raised bed",
            "compost",
            "sunflowers",
            "chilli plants",
            "houseplants",
            "my monstera",
        ),
        (
            "starting seeds indoors",
            "building a raised bed",
            "composting kitchen scraps",
            "repotting my monstera",
        ),
        "plant for a shady balcony",
        ("wilting in the afternoon", "getting aphids", "turning yellow"),
        ("多肉", "阳台种菜", "绿萝", "番茄"),
        ("家庭菜園", "観葉植物", "ベランダ菜園", "ミニトマト"),
    ),
    Topic(
        "music",
        (
            "vinyl",
            "a secondhand acoustic guitar",
            "synthesizers",
            "jazz piano",
            "a ukulele",
            "small venues",
            "the new album from my favourite band",
        ),
        (
            "learning guitar chords",
            "practising scales",
            "recording demos at home",
            "going to small gigs",
        ),
        "album to listen to on a rainy day",
        ("going out of tune", "buzzing on the low strings"),
        ("吉他", "钢琴", "演唱会", "黑胶唱片"),
        ("ギター", "ピアノ", "ライブ", "レコード"),
    ),
    Topic(
        "books",
        (
            "sci-fi novels",
            "audiobooks",
            "graphic novels",
            "my library card",
            "a reading lamp",
            "crime thrillers",
            "poetry collections",
        ),
        ("reading before bed", "joining a book club", "rereading old favourites"),
        "book of the year so far",
        ("putting me to sleep", "losing the plot halfway"),
        ("科幻小说", "读书会", "漫画", "电子书"),
        ("小説", "漫画", "読書会", "電子書籍"),
    ),
    Topic(
        "gaming",
        (
            "board games",
            "the new open-world RPG",
            "speedruns",
            "retro consoles",
            "a co-op puzzle game",
            "chess puzzles",
            "tabletop miniatures",
        ),
        (
            "playing co-op with friends",
            "collecting retro games",
            "painting miniatures",
            "learning chess openings",
        ),
        "board game for four players",
        ("crashing on startup", "losing connection"),
        ("桌游", "游戏机", "下棋", "联机游戏"),
        ("ボードゲーム", "レトロゲーム", "将棋", "協力プレイ"),
    ),
    Topic(
        "photography",
        (
            "a 50mm lens",
            "film cameras",
            "golden hour",
            "a travel tripod",
            "street photography",
            "bird photography",
        ),
        ("shooting on film", "editing photos in the evening", "photographing birds"),
        "lens for landscapes",
        ("coming out blurry", "overexposing the sky"),
        ("摄影", "胶片相机", "镜头", "日落"),
        ("写真", "フィルムカメラ", "レンズ", "夕焼け"),
    ),
    Topic(
        "pets",
        (
            "my cat",
            "a rescue dog",
            "a new scratching post",
            "dog treats",
            "an aquarium",
            "guinea pigs",
        ),
        ("training my puppy", "walking the dog at sunrise", "setting up a fish tank"),
        "dog breed for a small flat",
        ("chewing the furniture", "waking me up at 5 am"),
        ("猫咪", "狗狗", "仓鼠", "鱼缸"),
        ("猫", "犬", "ハムスター", "金魚"),
    ),
    Topic(
        "diy",
        (
            "a cordless drill",
            "reclaimed wood",
            "floating shelves",
            "chalk paint",
            "a workbench",
            "an old dresser",
        ),
        ("building a bookshelf", "restoring an old chair", "tiling the bathroom"),
        "first woodworking project",
        ("wobbling", "splitting when I screw into it"),
        ("手工", "木工", "装修", "改造旧家具"),
        ("DIY", "木工", "リフォーム", "手作り"),
    ),
)

WHEN: Final = (
    "last weekend",
    "this morning",
    "yesterday",
    "over the holidays",
    "after work",
    "last night",
    "on Sunday",
)
REACTIONS: Final = (
    "Turned out way better than expected.",
    "Not bad for a first attempt!",
    "Honestly, never going back.",
    "Still figuring it out, but I'm enjoying it.",
    "Would recommend.",
    "Ten out of ten, would do it again.",
    "It was harder than it looks.",
    "My friends were impressed.",
    "Mixed feelings, to be honest.",
    "Pretty happy with how it went.",
)
ADJECTIVES: Final = (
    "relaxing",
    "exhausting",
    "so much fun",
    "surprisingly easy",
    "a bit of a disaster",
    "worth every minute",
    "really satisfying",
)
EXTRAS: Final = (
    "Anyone else?",
    "Pics in the comments.",
    "Curious what you all think.",
    "Any advice welcome!",
    "Happy weekend everyone.",
    "Thanks in advance!",
    "Edit: thanks for all the replies!",
    "Let me know if you want the details.",
    "Will post an update next week.",
)
EMOJI: Final = (
    "😊",
    "😂",
    "👍",
    "🔥",
    "🙏",
    "❤️",
    "🎉",
    "🤔",
    "😅",
    "🌱",
    "📷",
    "🍜",
    "🏃",
    "🎸",
    "📚",
    "☕",
    "✨",
)

POST_TEMPLATES: Final = (
    "Finally tried {doing} {when}. {reaction}",
    "Does anyone have tips for {doing}? Mine keeps {problem}.",
    "What's your favourite {category}? Mine has to be {thing}.",
    "Hot take: {thing} is way better than {thing2}.",
    "Spent hours {doing} {when} and honestly it was {adj}.",
    "Quick question for the {name} crowd: is {thing} worth it for a beginner?",
    "Sharing my progress with {thing}. {reaction}",
    "Can someone explain why {thing} keeps {problem}?",
    "Just discovered {thing} and I'm hooked.",
    "Looking for recommendations: which {category} should I try next?",
    "{thing} or {thing2}? Can't decide.",
    "Been {doing} every day for a month now. {reaction}",
    "PSA: if you're into {name}, give {thing} a try.",
    "Unpopular opinion: {thing} is overrated.",
    "Throwback to {doing} {when}. Good times.",
    "Is it just me or has {thing} gotten more expensive lately?",
)
COMMENT_TEMPLATES: Final = (
    "Looks great! How long did it take?",
    "Same here, {thing} never works out like that for me.",
    "Thanks for sharing, saving this for later.",
    "Have you tried {doing}? It helped me a lot.",
    "Totally agree about {thing}.",
    "This made my day",
    "Not sure I agree, {thing2} works better for me.",
    "Where did you get {thing}?",
    "Great tip, thanks!",
    "Haha, been there.",
    "Wow, that sounds {adj}!",
    "+1, would love an update on this.",
    "Welcome to the club!",
    "Following, I want to know too.",
    "Nice! {reaction}",
    "I switched to {thing2} last year and never looked back.",
)
ZH_WHEN: Final = ("周末", "今天早上", "昨晚", "下班后", "假期里")
ZH_REACTIONS: Final = (
    "感觉还不错！",
    "比想象中难多了。",
    "太开心了～",
    "下次还要再来。",
    "大家有什么建议吗？",
    "强烈推荐！",
)
ZH_POSTS: Final = (
    "{when}体验了一下{thing}，{reaction}",
    "有没有人喜欢{thing}？求推荐！",
    "第一次尝试{thing}，{reaction}",
    "{thing}和{thing2}，你们更喜欢哪个？",
    "分享一下我的{thing}心得，{reaction}",
    "最近迷上了{thing}，{reaction}",
)
ZH_COMMENTS: Final = (
    "太棒了！",
    "同意楼上",
    "谢谢分享，收藏了。",
    "我也喜欢{thing}！",
    "求教程！",
    "看起来好厉害",
    "哈哈哈哈",
    "学到了，谢谢",
)
JA_WHEN: Final = ("週末に", "今朝", "昨日", "仕事の後に")
JA_REACTIONS: Final = (
    "思ったより簡単でした！",
    "難しかったけど楽しかったです。",
    "またやりたいです。",
    "最高でした。",
    "おすすめです！",
)
JA_POSTS: Final = (
    "{when}{thing}に挑戦してみました。{reaction}",
    "{thing}のおすすめを教えてください！",
    "最近{thing}にハマっています。{reaction}",
    "{thing}と{thing2}、どっちが好きですか？",
)
JA_COMMENTS: Final = (
    "すごいですね！",
    "わかります！",
    "参考になりました、ありがとうございます。",
    "私も{thing}が好きです！",
    "いいね！",
    "写真見たいです！",
)


MESSAGE_TEMPLATES: Final = (
    "Anyone up for {doing} this weekend?",
    "Just got {thing}, so happy with it!",
    "See you all at six!",
    "Running ten minutes late, sorry!",
    "Has anyone here tried {thing}?",
    "Thanks everyone, that was fun.",
    "Haha same",
    "Photos from {when} are in the shared album.",
    "Who's coming on Saturday?",
    "Good morning all ☕",
    "Reminder: meetup on Sunday, usual place.",
    "{thing} was great {when}.",
    "Welcome to the new members!",
    "Does anyone have {thing} I could borrow?",
    "What time works for everyone?",
    "Count me in 🙌",
)
ZH_MESSAGES: Final = (
    "好的！",
    "明天见～",
    "哈哈哈哈",
    "{when}谁有空？",
    "{thing}太好了！",
    "谢谢大家～",
    "欢迎新朋友！",
    "收到",
    "我也喜欢{thing}！",
)
JA_MESSAGES: Final = (
    "了解です！",
    "また明日！",
    "{thing}いいですね！",
    "ありがとうございます！",
    "{when}誰か来ますか？",
    "よろしくお願いします！",
    "お疲れさまです",
)
GROUP_KINDS: Final = ("club", "crew", "circle", "chat", "meetup", "friends")


@dataclass(frozen=True)
class RuleVocabulary:
    """What makes a text break one rule.

    ``markers`` are the recognisable words or phrases; each template has a ``{m}`` slot that
    one marker fills (possibly obfuscated), and may name further recognisable things
    literally (the ``.example`` domains, for instance). Markers that start with ``[`` are
    withheld placeholders standing for content that is never written out.
    """

    markers: tuple[str, ...]
    templates: tuple[str, ...]
    zh_markers: tuple[str, ...] = ()
    zh_templates: tuple[str, ...] = ()
    ja_markers: tuple[str, ...] = ()
    ja_templates: tuple[str, ...] = ()


VIOLATION_VOCABULARY: Final[dict[str, RuleVocabulary]] = {
    "spam.bulk": RuleVocabulary(
        ("BEST DEALS", "90% OFF", "LIMITED OFFER", "BUY NOW", "CHEAPEST PRICES"),
        (
            "{m} on {product}{bang} Only today at {shop} use code {code}",
            "{m} {product} from {price} USD{bang} order at {shop}",
            "{m}: {product} wholesale, free shipping, visit {shop}{bang}",
        ),
        ("免费领取", "限时优惠", "加微信"),
        ("{m}{product_zh}！加微信{wx}，数量有限{bang}", "{m}！{product_zh}一折起，加微信{wx}"),
        ("激安", "今だけ無料"),
        ("{m}！{product_ja}が今だけ90%OFF、詳しくは{shop}{bang}",),
    ),
    "spam.links": RuleVocabulary(
        ("click here", "check this out", "free download", "you won't believe this"),
        ("{m} 👉 {link}", "{m}: {link} {link}", "lol {m} {link} !!!"),
        ("点击链接", "戳这里"),
        ("{m}{link}，你绝对想不到", "{m}领取红包 {link}"),
        ("こちらをクリック",),
        ("{m} {link}",),
    ),
    "scam.phishing": RuleVocabulary(
        (
            "verify your account",
            "confirm your login details",
            "update your payment details",
            "unlock your account",
        ),
        (
            "Security notice: {m} at secure-login-bank.example or it will be closed today.",
            "Your parcel is held at customs. To release it, {m} and pay the 1.99 fee at "
            "parcel-redelivery.example",
            "Unusual sign-in detected. Please {m} within 24 hours: account-check.example/{code}",
        ),
        ("验证您的账户",),
        ("您的银行卡已冻结，请立即{m}：secure-login-bank.example",),
        ("アカウントを確認",),
        ("お客様のアカウントが停止されました。こちらから{m}してください: account-check.example",),
    ),
    "scam.advance_fee": RuleVocabulary(
        ("unclaimed inheritance", "dormant account fund", "unclaimed lottery prize"),
        (
            "Dear friend, I am a bank manager in charge of the {m} worth {amount}. Reply with "
            "your bank details and a small processing fee to release it.",
            "Congratulations, you are the beneficiary of the {m} worth {amount}. Only a processing "
            "fee of 250 USD is needed before the transfer.",
            "Confidential business proposal: help me move the {m} worth {amount}. Send the 300 USD "
            "transfer fee for the paperwork and we share it.",
        ),
    ),
    "scam.fake_giveaway": RuleVocabulary(
        (
            "free iPhone giveaway",
            "double your crypto",
            "send 0.1 BTC and get 1 BTC back",
            "you have been selected",
        ),
        (
            "🎉 {m}! First 100 people only, pay the small shipping fee at prize-claim.example",
            "{m} — {brand} anniversary event, claim now at prize-claim.example/{code}",
            "Official {brand} promo: {m}. Limited time!",
        ),
        ("恭喜您中奖", "免费领取"),
        ("{m}，iPhone{bang}加微信{wx}领取", "{m}！转发本条免费领取大奖，加微信{wx}"),
        ("当選しました",),
        ("おめでとうございます！{m}。賞品の受け取りはprize-claim.exampleから",),
    ),
    "harassment.targeted": RuleVocabulary(
        (
            "nobody wants you here",
            "I'll keep posting about you",
            "everyone knows what you did",
            "just leave this site",
        ),
        (
            "{victim} {m}. I'll be in every thread you post in.",
            "Reminder for {victim}: {m}.",
            "{victim} again? {m}. Everyone go check their profile.",
        ),
    ),
    "harassment.insults": RuleVocabulary(
        ("idiot", "moron", "loser", "pathetic clown", "brainless"),
        (
            "{victim} you absolute {m}",
            "only a {m} would post this, {victim}",
            "{victim} what a {m}, log off",
            "lmao {victim} is such a {m}",
        ),
        ("傻逼", "废物", "脑残"),
        ("{victim} 你就是个{m}", "{victim} 真是{m}，别发了"),
        ("バカ", "アホ", "クズ"),
        ("{victim} お前は本当に{m}だな", "{victim} {m}すぎて草"),
    ),
    "threat.violence": RuleVocabulary(
        (
            "I will find you and hurt you",
            "watch your back",
            "I know where you live",
            "you won't be safe",
        ),
        ("{victim} {m}.", "{m}, {victim}. This is not a joke.", "Keep talking {victim}. {m}."),
        ("我会找到你", "你等着"),
        ("{victim} {m}，让你好看",),
    ),
    "hate.dehumanising": RuleVocabulary(
        ("[text withheld: dehumanising language about a protected group]",),
        ("{m}", "{m} (reply to {victim})"),
    ),
    "minors.sexualisation": RuleVocabulary(
        ("[image withheld: sexualised depiction of a child]",),
        ("{m}",),
    ),
    "minors.grooming": RuleVocabulary(
        (
            "[message withheld: adult asks a child to keep their chats secret and move to a "
            "private app]",
        ),
        ("{m}",),
    ),
    "selfharm.promotion": RuleVocabulary(
        ("[text withheld: encouragement of self-harm]",),
        ("{m}", "{m} (reply to {victim})"),
    ),
    "privacy.doxxing": RuleVocabulary(
        ("home address", "phone number", "workplace and address"),
        (
            "Here is {victim}'s {m}: {address}. Go pay them a visit.",
            "Found {victim}'s {m}: {address}, {phone}. Tell them what you think.",
        ),
    ),
    "privacy.intimate_images": RuleVocabulary(
        ("[image withheld: intimate image shared without consent]",),
        ("{m}", "{m} of {victim}"),
    ),
    "ip.piracy": RuleVocabulary(
        ("full movie free download", "cracked", "keygen", "leaked album"),
        (
            "{m}: {title} 1080p at free-movies-hd.example",
            "PhotoEditor Pro 2026 {m}, no licence needed: warez.example/{code}",
            "{m} here, {title}, mirror at warez.example/{code}",
        ),
        ("免费下载", "破解版"),
        ("{title}{m}，网盘链接 warez.example/{code}",),
    ),
    "products.illegal_drugs": RuleVocabulary(
        ("molly", "xanax bars", "coke", "meth", "DM for menu"),
        (
            "Selling {m}, discreet shipping, DM for menu",
            "Got {m} tonight, cash or crypto, hit me up",
            "Fresh {m} in stock 💊 delivery in {city}",
        ),
    ),
    "products.weapons": RuleVocabulary(
        ("ghost gun kit", "untraceable pistol", "no background check", "full-auto conversion"),
        (
            "Selling {m}, no questions asked, DM",
            "{m} available, ships in plain packaging",
            "Anyone need a {m}? Cash only, meet in {city}",
        ),
    ),
    "violence.glorification": RuleVocabulary(
        (
            "he deserved that beating",
            "best knockout ever, more of this",
            "that attack was glorious",
        ),
        ("[video withheld: real street assault] {m}", "{m} 😂 [video withheld: real assault]"),
    ),
    "terror.propaganda": RuleVocabulary(
        ("[video withheld: recruitment propaganda for a proscribed terrorist organisation]",),
        ("{m}",),
    ),
    "impersonation": RuleVocabulary(
        ("official support", "verified team account", "admin team"),
        (
            "This is the {m} of {brand}. Send us your password so we can restore your access.",
            "Hello from the {m} of this site: reply with your login to keep your account.",
            "Hi everyone, this is {victim}'s new account ({m}), the old one was hacked. Please "
            "send me 50 USD, I'll pay you back tomorrow.",
        ),
    ),
    "manipulation.fake_engagement": RuleVocabulary(
        ("like4like", "follow for follow", "buy followers", "1000 likes for 5 USD"),
        (
            "{m}! Drop a like and I'll like back 👍",
            "Want to go viral? {m} at boost-followers.example",
            "{m} {m} {m}, comment done when done",
        ),
    ),
    "consumer.fake_reviews": RuleVocabulary(
        ("5 stars", "best product ever", "changed my life", "got it free for this review"),
        (
            "{m}!!! {product} from {shop} is amazing, everyone should buy it NOW",
            "Not sponsored 😉 {m}, {product}, ordered three more from {shop}",
            "{product}: {m}. Use my code {code} at {shop}",
        ),
    ),
    "animal.cruelty": RuleVocabulary(
        ("so funny watch it scream", "kicked it again lol", "we'll do it to another one"),
        ("[video withheld: animal being deliberately hurt] {m}",),
    ),
}
"""Per rule: the markers that make a text break it, and templates that use them."""

SHOPS: Final = (
    "megadeals-outlet.example",
    "cheap-brands.example",
    "best-price-club.example",
    "super-sale-hub.example",
)
PRODUCTS: Final = (
    "designer handbags",
    "luxury watches",
    "sneakers",
    "weight-loss tea",
    "phone cases",
    "sunglasses",
    "smart watches",
)
PRODUCTS_ZH: Final = ("名牌包包", "手表", "减肥茶", "化妆品")
PRODUCTS_JA: Final = ("ブランドバッグ", "腕時計", "ダイエット茶")
LINK_HOSTS: Final = ("tiny.example", "cheap-deals.example", "click-now.example")
BRANDS: Final = ("ShopMax", "PhotoCloud", "FastPay", "StreamBox")
TITLES: Final = ("Starfall 3", "The Long Harbour", "Midnight Garden", "Galaxy Racers")
CITIES: Final = ("Springfield", "Riverton", "Lakeside", "Northbridge")
STREETS: Final = ("Birch Road", "Mill Lane", "Harbour Street", "Elm Close")

SIBLING_RULES: Final[dict[str, tuple[str, ...]]] = {
    "spam.bulk": ("spam.links",),
    "spam.links": ("spam.bulk",),
    "scam.phishing": ("scam.advance_fee", "spam.links"),
    "scam.advance_fee": ("scam.phishing",),
    "scam.fake_giveaway": ("scam.phishing", "spam.bulk"),
    "harassment.targeted": ("harassment.insults",),
    "harassment.insults": ("harassment.targeted",),
    "threat.violence": ("harassment.targeted",),
    "privacy.doxxing": ("harassment.targeted",),
    "impersonation": ("scam.phishing",),
    "manipulation.fake_engagement": ("spam.bulk",),
    "consumer.fake_reviews": ("spam.bulk",),
    "violence.glorification": ("threat.violence",),
}
"""Rules that reporters confuse with each other (a report naming a sibling is wrong)."""

MISREPORTED_RULES: Final = (
    "spam.bulk",
    "harassment.insults",
    "harassment.targeted",
    "consumer.fake_reviews",
    "spam.links",
    "impersonation",
)
"""Rules that people name when they report content that breaks no rule."""

REPORT_NOTES: Final[dict[str, tuple[str, ...]]] = {
    "spam": ("spam", "this account posts the same ad everywhere", "bot?"),
    "scam": ("this is a scam", "phishing link, please remove", "fake giveaway"),
    "harassment": ("keeps insulting people", "they are following me around the site", "abusive"),
    "threat": ("this is a threat", "please act quickly, I feel unsafe"),
    "": ("please check", "not ok", "reported by a member"),
}
"""Short notes reporters sometimes add, by rule family ("" for any)."""

APPEAL_REASONS: Final = (
    "it was a joke between friends",
    "I was quoting someone to criticise it",
    "this is my own shop, not spam",
    "please look again, nothing here breaks the rules",
    "the reports came from someone who dislikes me",
    "I did not know this was not allowed, it will not happen again",
    "wrong rule: the post is not what the decision says",
)
"""What authors write when they appeal a decision against them."""

SANCTION_NOTES: Final = (
    "Liked and shared the same accounts' posts within seconds, many times a day, for weeks.",
    "One of a group of accounts that boost each other's posts by turns.",
    "Engagement traded with the same small set of accounts, whatever they post.",
)
"""What a moderator states when sanctioning an account for trading engagement."""

LIFT_NOTES: Final = (
    "Second look: the likes were ordinary, this member is not part of the ring.",
    "Restricted by mistake: the account was confused with another.",
)
"""What a moderator states when lifting a restriction imposed by mistake."""

REJECTION_NOTES: Final = (
    "off topic",
    "not under my post, please",
    "spam",
    "keep it friendly",
    "no thanks",
)
"""Notes owners sometimes add when they reject a comment under their post."""

RIC_DIVISIONS: Final = (
    "110101",
    "310101",
    "320102",
    "330106",
    "420106",
    "440106",
    "440305",
    "500103",
    "510104",
    "610113",
)
"""Division codes (place of first registration) of the simulated resident identity numbers."""

CN_MOBILE_PREFIXES: Final = (
    "130",
    "133",
    "135",
    "136",
    "138",
    "139",
    "150",
    "152",
    "155",
    "158",
    "159",
    "180",
    "186",
    "187",
    "188",
    "189",
)
"""Mobile prefixes of the simulated Chinese phone numbers."""
