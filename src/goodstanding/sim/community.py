# ruff: noqa: RUF001  (Chinese and Japanese texts use full-width punctuation)
"""A synthetic community: a deterministic, realistic stream of platform events.

``simulate(SimConfig(...))`` yields the events a platform would send (registrations, posts,
comments, likes, shares, reports, moderator reviews, group chats, appeals, identity checks,
owners' comment modes and decisions) together with the ground truth behind them: which
accounts are abusive, which form fake-engagement rings, which content breaks which rule,
which reports and reviews are wrong, how appeals ended, which identity submissions try to
evade a block, who vets comments and how they decided. ``write_jsonl`` writes both to disk.

The community is mostly ordinary members talking about hobbies, food, sport, tech and
travel (in English, and some in Chinese and Japanese); a small share of abusive accounts
post violating content; rings of accounts like and share each other's spam; moderators
review reported content. Some active members run group chats that others join, chat in
and leave; authors appeal some decisions against them; a few members verify a Chinese
resident identity number or mobile number, and a few sanctioned ones come back under a
second account with the same identity typed differently. A few members hold every comment
under their posts for their approval, and approve or reject each a few hours later.
Activity per account is heavy-tailed. The same config always gives the same bytes: the
only source of randomness is ``random.Random(config.seed)``.

Violating texts are built from ``VIOLATION_VOCABULARY``, one table of markers per rule id,
so that detectors can be evaluated against it. The gravest kinds of content are never
written out: they appear as bracketed "withheld" placeholders that say what the item is.
Nothing here is about political or religious views.
"""

from __future__ import annotations

import functools
import heapq
import json
import math
import random
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, BinaryIO, Final, cast

import msgspec
from stdnum.cn import ric as cn_ric

from goodstanding.events import TYPE_NAMES

# ---------------------------------------------------------------------------
# Vocabulary
# ---------------------------------------------------------------------------

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

# ---------------------------------------------------------------------------
# Configuration, truth and statistics
# ---------------------------------------------------------------------------

DAY: Final = 86400
EVENT_TYPES: Final[tuple[str, ...]] = TYPE_NAMES  # the sim emits every type of event


@dataclass(frozen=True)
class SimConfig:
    """The shape of a synthetic community.

    ``ring_count`` defaults to ``max(1, accounts // 2000)`` (but never more rings than fit in
    the accounts) and ``moderators`` to ``max(2, accounts // 2000)``; after construction both
    hold the resolved numbers. ``accounts`` counts members; moderators come on top, and so
    do the second accounts of the few sanctioned members who try to come back under them.
    ``abusive_share`` is the share of members, outside the rings, that post violating
    content. ``late_share`` is the share of engagements, reports and reviews delivered late;
    ``duplicate_share`` the share of events delivered twice.
    """

    accounts: int = 1000
    days: int = 30
    seed: int = 1
    start: datetime = datetime(2026, 1, 5, tzinfo=UTC)
    abusive_share: float = 0.03
    ring_count: int | None = None
    ring_size: int = 8
    moderators: int | None = None
    late_share: float = 0.0005
    duplicate_share: float = 0.0005

    def __post_init__(self) -> None:
        if self.accounts < 1:
            raise ValueError(f"accounts must be at least 1, got {self.accounts}")
        if self.days < 1:
            raise ValueError(f"days must be at least 1, got {self.days}")
        for name in ("abusive_share", "late_share", "duplicate_share"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1, got {value!r}")
        if self.start.tzinfo is None or self.start.utcoffset() is None:
            raise ValueError("start must be a timezone-aware datetime, got a naive one")
        if self.ring_size < 2:
            raise ValueError(f"ring_size must be at least 2, got {self.ring_size}")
        if self.ring_count is None:
            derived = min(max(1, self.accounts // 2000), self.accounts // self.ring_size)
            object.__setattr__(self, "ring_count", derived)
        elif self.ring_count < 0:
            raise ValueError(f"ring_count must be at least 0, got {self.ring_count}")
        elif self.ring_count * self.ring_size > self.accounts:
            raise ValueError(
                f"ring_count * ring_size = {self.ring_count * self.ring_size} ring members "
                f"do not fit in accounts = {self.accounts}"
            )
        if self.moderators is None:
            object.__setattr__(self, "moderators", max(2, self.accounts // 2000))
        elif self.moderators < 0:
            raise ValueError(f"moderators must be at least 0, got {self.moderators}")


@dataclass
class GroundTruth:
    """What the simulation knows about its own community: who and what is bad.

    ``violating_content`` maps content ids to the rule they truly break. A report is wrong
    (``wrong_reports``) when the content does not break the rule the report names; a review
    is mistaken (``mistaken_reviews``) when its verdict disagrees with the truth. Ring
    members are listed in ``rings`` only, not in ``abusive_accounts``. ``appeals`` maps the
    appeals decided within the period to their outcome (``reversed`` for every mistaken
    review appealed, and for a few lenient calls). ``evasion_attempts`` maps the
    ``identity.submitted`` events of second accounts, which submit the verified identity of
    a sanctioned member typed differently and which the engine must refuse, to that member.
    ``comment_owners`` are the members who hold every comment under their posts for their
    approval (``comment.mode_set`` with ``hold_all`` for all their posts), and
    ``owner_decisions`` maps the comments an owner decided on to ``approved`` or ``rejected``.
    Filled while the events are generated; complete once the iterator is exhausted.
    """

    abusive_accounts: list[str] = field(default_factory=list)
    specialities: dict[str, list[str]] = field(default_factory=dict)
    rings: list[list[str]] = field(default_factory=list)
    moderators: list[str] = field(default_factory=list)
    violating_content: dict[str, str] = field(default_factory=dict)
    obfuscated_content: list[str] = field(default_factory=list)
    wrong_reports: list[str] = field(default_factory=list)
    mistaken_reviews: list[str] = field(default_factory=list)
    late_events: list[str] = field(default_factory=list)
    duplicate_events: list[str] = field(default_factory=list)
    appeals: dict[str, str] = field(default_factory=dict)
    evasion_attempts: dict[str, str] = field(default_factory=dict)
    comment_owners: list[str] = field(default_factory=list)
    owner_decisions: dict[str, str] = field(default_factory=dict)

    def bad_accounts(self) -> list[str]:
        """Abusive accounts and ring members together, sorted."""
        return sorted([*self.abusive_accounts, *(a for ring in self.rings for a in ring)])

    def to_dict(self) -> dict[str, object]:
        """The truth as plain JSON-ready data."""
        return {
            "abusive_accounts": self.abusive_accounts,
            "specialities": self.specialities,
            "rings": self.rings,
            "moderators": self.moderators,
            "violating_content": self.violating_content,
            "obfuscated_content": self.obfuscated_content,
            "wrong_reports": self.wrong_reports,
            "mistaken_reviews": self.mistaken_reviews,
            "late_events": self.late_events,
            "duplicate_events": self.duplicate_events,
            "appeals": self.appeals,
            "evasion_attempts": self.evasion_attempts,
            "comment_owners": self.comment_owners,
            "owner_decisions": self.owner_decisions,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> GroundTruth:
        """The truth read back from ``to_dict`` data (for example a ``.truth.json`` file)."""
        return cls(
            abusive_accounts=list(data["abusive_accounts"]),
            specialities={k: list(v) for k, v in data["specialities"].items()},
            rings=[list(ring) for ring in data["rings"]],
            moderators=list(data["moderators"]),
            violating_content=dict(data["violating_content"]),
            obfuscated_content=list(data["obfuscated_content"]),
            wrong_reports=list(data["wrong_reports"]),
            mistaken_reviews=list(data["mistaken_reviews"]),
            late_events=list(data["late_events"]),
            duplicate_events=list(data["duplicate_events"]),
            appeals=dict(data.get("appeals", {})),
            evasion_attempts=dict(data.get("evasion_attempts", {})),
            comment_owners=list(data.get("comment_owners", [])),
            owner_decisions=dict(data.get("owner_decisions", {})),
        )


@dataclass(frozen=True)
class SimStats:
    """What ``write_jsonl`` wrote: where, and how many lines of each event type."""

    path: Path
    truth_path: Path
    by_type: dict[str, int]

    @property
    def lines(self) -> int:
        """Lines written, duplicates included."""
        return sum(self.by_type.values())


def truth_path_for(path: str | Path) -> Path:
    """Where the truth of an event file lives: ``x.jsonl`` → ``x.truth.json``."""
    path = Path(path)
    stem = path.name[: -len(".jsonl")] if path.name.endswith(".jsonl") else path.name
    return path.with_name(stem + ".truth.json")


def load_truth(path: str | Path) -> GroundTruth:
    """Reads a ``.truth.json`` file written by ``write_jsonl``."""
    return GroundTruth.from_dict(json.loads(Path(path).read_text(encoding="utf-8")))


def simulate(config: SimConfig) -> tuple[Iterator[dict[str, object]], GroundTruth]:
    """The event stream of a community and its ground truth (complete once the stream ends)."""
    sim = _Simulation(config)
    return sim.events(), sim.truth


def generate(config: SimConfig) -> Iterator[dict[str, object]]:
    """The event stream of a community, as dicts in the JSON Lines field order."""
    return simulate(config)[0]


def write_jsonl(config: SimConfig, path: str | Path) -> SimStats:
    """Writes the events as JSON Lines to ``path`` and the truth next to it.

    The output is byte-identical for the same config.
    """
    path = Path(path)
    truth_file = truth_path_for(path)
    with path.open("wb") as out:
        counts = write_stream(config, out, truth_file)
    return SimStats(path=path, truth_path=truth_file, by_type=counts)


def write_stream(config: SimConfig, out: BinaryIO, truth_file: Path | None) -> dict[str, int]:
    """Writes the events as JSON Lines to ``out`` and, when ``truth_file`` is given, the
    truth there; the number of events of each type."""
    events, truth = simulate(config)
    counts = dict.fromkeys(EVENT_TYPES, 0)
    encoder = msgspec.json.Encoder()
    batch: list[dict[str, object]] = []
    for event in events:
        counts[cast(str, event["type"])] += 1
        batch.append(event)
        if len(batch) >= 8192:
            out.write(encoder.encode_lines(batch))
            batch.clear()
    if batch:
        out.write(encoder.encode_lines(batch))
    out.flush()
    if truth_file is not None:
        truth_file.write_text(
            json.dumps(truth.to_dict(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
        )
    return counts


# ---------------------------------------------------------------------------
# Obfuscation
# ---------------------------------------------------------------------------

_LEET = str.maketrans(
    {
        "i": "1",
        "I": "1",
        "o": "0",
        "O": "0",
        "e": "3",
        "E": "3",
        "a": "4",
        "A": "4",
        "s": "5",
        "S": "5",
    }
)
_FULLWIDTH = str.maketrans({chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)} | {" ": "\u3000"})
ZERO_WIDTH_SPACE: Final = "\u200b"
OBFUSCATIONS: Final = ("leet", "zero_width", "fullwidth", "stretch")


def obfuscate(text: str, method: str, rng: random.Random) -> str:
    """A marker disguised the way evaders do: leetspeak, zero-width spaces, full-width
    letters, or a stretched vowel ("looooser")."""
    if method == "leet":
        return text.translate(_LEET)
    if method == "fullwidth":
        return text.translate(_FULLWIDTH)
    if method == "zero_width":
        if len(text) < 2:
            return text
        cuts = sorted(rng.sample(range(1, len(text)), min(len(text) - 1, rng.randint(1, 3))))
        parts = [text[i:j] for i, j in zip([0, *cuts], [*cuts, len(text)], strict=True)]
        return ZERO_WIDTH_SPACE.join(parts)
    if method == "stretch":
        vowels = [i for i, ch in enumerate(text) if ch in "aeiouAEIOU"]
        if not vowels:
            return text
        i = rng.choice(vowels)
        return text[:i] + text[i] * rng.randint(3, 6) + text[i + 1 :]
    raise ValueError(f"unknown obfuscation {method!r}; expected one of {', '.join(OBFUSCATIONS)}")


# ---------------------------------------------------------------------------
# Identities
# ---------------------------------------------------------------------------

TYPING_STYLES: Final = 4
"""Ways of typing one identifier (``typed`` style 0 is the form as issued)."""


def resident_number(rng: random.Random) -> str:
    """A valid Chinese resident identity number: a known division, a birth date from 1960
    to 2003, a sequence number and the ISO 7064 MOD 11-2 check digit."""
    born = date(1960, 1, 1) + timedelta(days=rng.randrange(16_000))
    body = f"{rng.choice(RIC_DIVISIONS)}{born:%Y%m%d}{rng.randrange(1000):03d}"
    return body + cn_ric.calc_check_digit(body + "0")


def mobile_number(rng: random.Random) -> str:
    """A valid Chinese mobile number in E.164 form."""
    return f"+86{rng.choice(CN_MOBILE_PREFIXES)}{rng.randrange(10**8):08d}"


def typed(kind: str, value: str, style: int) -> tuple[str, str | None]:
    """An identifier (``cn.ric`` or an E.164 ``phone``) as someone types it, in one of
    ``TYPING_STYLES`` ways, and the region a national phone number needs. Every style
    canonicalises to the same value."""
    if style == 0:
        return value, None
    if kind == "cn.ric":
        if style == 1:
            return f"{value[:6]} {value[6:14]} {value[14:]}".lower(), None
        if style == 2:
            return f"{value[:6]}-{value[6:14]}-{value[14:]}", None
        return value.translate(_FULLWIDTH).lower(), None
    national = value[3:]
    if style == 1:
        return f"{national[:3]} {national[3:7]} {national[7:]}", "CN"
    if style == 2:
        return f"+86 {national[:3]}-{national[3:7]}-{national[7:]}", None
    return f"0086 {national}", "CN"


# ---------------------------------------------------------------------------
# Texts
# ---------------------------------------------------------------------------

_EN, _ZH, _JA = 0, 1, 2


class _Texts:
    """Writes ordinary and violating texts with the simulation's random generator."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.bulk: dict[int, tuple[str, str, str, str]] = {}

    def ordinary(self, lang: int, topic: int, comment: bool) -> str:
        rng = self.rng
        choice = rng.choice
        top = TOPICS[topic]
        if lang == _ZH:
            tmpl = choice(ZH_COMMENTS if comment else ZH_POSTS)
            things = top.zh
            return tmpl.format(
                thing=choice(things),
                thing2=choice(things),
                when=choice(ZH_WHEN),
                reaction=choice(ZH_REACTIONS),
            )
        if lang == _JA:
            tmpl = choice(JA_COMMENTS if comment else JA_POSTS)
            things = top.ja
            return tmpl.format(
                thing=choice(things),
                thing2=choice(things),
                when=choice(JA_WHEN),
                reaction=choice(JA_REACTIONS),
            )
        thing, thing2 = rng.sample(top.things, 2)
        text = choice(COMMENT_TEMPLATES if comment else POST_TEMPLATES).format(
            thing=thing,
            thing2=thing2,
            doing=choice(top.doing),
            category=top.category,
            problem=choice(top.problems),
            when=choice(WHEN),
            reaction=choice(REACTIONS),
            adj=choice(ADJECTIVES),
            name=top.name,
        )
        text = text[0].upper() + text[1:]
        if not comment and rng.random() < 0.35:
            text = f"{text} {choice(EXTRAS)}"
        if rng.random() < 0.12:
            text = f"{text} {choice(EMOJI)}"
        return text

    def message(self, lang: int, topic: int) -> str:
        """A short chat message in a group about ``topic``."""
        rng = self.rng
        choice = rng.choice
        top = TOPICS[topic]
        if lang == _ZH:
            return choice(ZH_MESSAGES).format(thing=choice(top.zh), when=choice(ZH_WHEN))
        if lang == _JA:
            return choice(JA_MESSAGES).format(thing=choice(top.ja), when=choice(JA_WHEN))
        text = choice(MESSAGE_TEMPLATES).format(
            thing=choice(top.things), doing=choice(top.doing), when=choice(WHEN)
        )
        return text[0].upper() + text[1:]

    def group_name(self, lang: int, topic: int) -> str:
        """The name of a group chat about ``topic``."""
        choice = self.rng.choice
        top = TOPICS[topic]
        if lang == _ZH:
            return f"{choice(top.zh)}交流群"
        if lang == _JA:
            return f"{choice(top.ja)}好きの会"
        return f"{choice(CITIES)} {top.name} {choice(GROUP_KINDS)}"

    def violating(self, rule: str, lang: int, victim: str, author: int) -> tuple[str, bool]:
        """A text that breaks ``rule``, and whether its marker is obfuscated."""
        rng = self.rng
        choice = rng.choice
        vocab = VIOLATION_VOCABULARY[rule]
        markers, templates = vocab.markers, vocab.templates
        if lang == _ZH and vocab.zh_templates:
            markers, templates = vocab.zh_markers, vocab.zh_templates
        elif lang == _JA and vocab.ja_templates:
            markers, templates = vocab.ja_markers, vocab.ja_templates
        if rule == "spam.bulk":
            # the same promotion again and again, with small edits
            base = self.bulk.get(author)
            if base is None or base[0] not in templates:
                base = (choice(templates), choice(markers), choice(PRODUCTS), choice(SHOPS))
                self.bulk[author] = base
            template, marker, product, shop = base
        else:
            template, marker = choice(templates), choice(markers)
            product, shop = choice(PRODUCTS), choice(SHOPS)
        obfuscated = False
        if not marker.startswith("[") and rng.random() < 0.2:
            method = choice(OBFUSCATIONS) if lang == _EN else "zero_width"
            disguised = obfuscate(marker, method, rng)
            obfuscated = disguised != marker
            marker = disguised
        code = f"{choice('ABCDEFGHKMNPRSTXZ')}{rng.randrange(10, 99)}"
        text = template.format(
            m=marker,
            victim=victim,
            product=product,
            shop=shop,
            code=code,
            bang="!" * rng.randint(1, 4),
            price=rng.randrange(5, 60),
            product_zh=choice(PRODUCTS_ZH),
            product_ja=choice(PRODUCTS_JA),
            wx=f"vx{rng.randrange(100000, 999999)}",
            link=f"https://{choice(LINK_HOSTS)}/{code.lower()}",
            amount=f"{rng.randrange(2, 40)}.{rng.randrange(10)} million USD",
            brand=choice(BRANDS),
            title=choice(TITLES),
            city=choice(CITIES),
            address=f"{rng.randrange(1, 120)} {choice(STREETS)}, {choice(CITIES)}",
            phone=f"555-01{rng.randrange(10, 100):02d}",
        )
        if rule == "spam.bulk" and rng.random() < 0.3:
            text = f"{text} {choice(EMOJI)}"
        return text, obfuscated


# ---------------------------------------------------------------------------
# The simulation
# ---------------------------------------------------------------------------

_ORDINARY, _ABUSIVE, _RING = 0, 1, 2
_RING_RULES: Final = (
    "spam.bulk",
    "spam.links",
    "scam.phishing",
    "scam.fake_giveaway",
    "consumer.fake_reviews",
    "manipulation.fake_engagement",
    "scam.advance_fee",
)
_SPECIALITY_WEIGHTS: Final[dict[str, float]] = {
    "spam.bulk": 8,
    "spam.links": 8,
    "scam.phishing": 5,
    "scam.advance_fee": 3,
    "scam.fake_giveaway": 4,
    "harassment.targeted": 6,
    "harassment.insults": 10,
    "threat.violence": 4,
    "hate.dehumanising": 3,
    "minors.sexualisation": 0.15,
    "minors.grooming": 0.15,
    "selfharm.promotion": 0.5,
    "privacy.doxxing": 2,
    "privacy.intimate_images": 0.3,
    "ip.piracy": 4,
    "products.illegal_drugs": 3,
    "products.weapons": 1.5,
    "violence.glorification": 2,
    "terror.propaganda": 0.15,
    "impersonation": 2,
    "manipulation.fake_engagement": 3,
    "consumer.fake_reviews": 3,
    "animal.cruelty": 1,
}
_COMMENT_RULES: Final = frozenset(
    {
        "harassment.targeted",
        "harassment.insults",
        "threat.violence",
        "hate.dehumanising",
        "selfharm.promotion",
        "privacy.doxxing",
    }
)
_RARE_RULES: Final = frozenset({*SEVERE_RULES, "selfharm.promotion", "animal.cruelty"})
# UTC hour of day → relative activity (quiet nights, busy evenings)
_HOURLY: Final = (
    0.25,
    0.15,
    0.1,
    0.08,
    0.08,
    0.12,
    0.25,
    0.45,
    0.6,
    0.65,
    0.65,
    0.7,
    0.8,
    0.75,
    0.7,
    0.7,
    0.75,
    0.85,
    0.95,
    1.0,
    1.0,
    0.9,
    0.7,
    0.45,
)
_HOURLY_MEAN: Final = sum(_HOURLY) / 24
# (mean acts per day, lognormal sigma, chance a session goes on after each act)
_ACTIVITY: Final = {_ORDINARY: (0.7, 1.5, 0.55), _ABUSIVE: (1.0, 0.8, 0.6), _RING: (4.0, 0.5, 0.75)}
_MAX_RATE: Final = 80.0
_LEAF_TYPES: Final = frozenset({"content.engaged", "content.reported", "review.decided"})
_ACCOUNTS_PER_GROUP: Final = 250
_MAX_GROUPS: Final = 3  # groups one member belongs to at most
_CHAT_SHARE: Final = {_ORDINARY: 0.3, _ABUSIVE: 0.25, _RING: 0.0}  # members who chat in groups
_IDENTITY_SHARE: Final = {_ORDINARY: 0.03, _ABUSIVE: 0.2, _RING: 0.0}
_EVADE_AFTER: Final = 4  # upheld violations (the default ladder's suspension) before coming back
# ordinary members who hold every comment under their posts: among the tenth most active,
# and among the others; and those who hold the comments under some posts only
_HOLD_ALL_SHARE: Final = (0.15, 0.04)
_HOLD_SOME_SHARE: Final = 0.02
_HOLD_POST_SHARE: Final = 0.25  # of the posts of those who hold under some posts
_REJECT_VIOLATING: Final = 0.8  # the share of violating comments an owner rejects
_REJECT_ORDINARY: Final = 0.03  # ... and of the others
# things due later, in the task queue as (time, sequence, task, argument)
(
    _REVIEW,
    _CREATE_GROUP,
    _SUBMIT,
    _VERDICT,
    _SECOND_ACCOUNT,
    _APPEAL,
    _APPEAL_DECISION,
    _HOLD_ALL,
    _HOLD_POST,
    _OWNER_DECISION,
) = range(10)
_POLICY_FILE: Final = Path(__file__).resolve().parent.parent / "policies" / "default.toml"


@dataclass(frozen=True)
class _Scoring:
    """The default policy's scoring, enough to estimate a group owner's standing."""

    start: float
    daily_cap: float
    half_life: float  # seconds
    administer_from: float  # the lowest score whose band grants administer_group
    weights: dict[str, float]


@functools.cache
def _default_scoring() -> _Scoring:
    """Read from the packaged default policy (the sim cannot afford to import the loader)."""
    policy = tomllib.loads(_POLICY_FILE.read_text(encoding="utf-8"))
    scoring = policy["scoring"]
    return _Scoring(
        start=float(scoring["start"]),
        daily_cap=float(scoring["daily_gain_cap"]),
        half_life=float(scoring["half_life_days"]) * DAY,
        administer_from=min(
            float(band["min"])
            for band in policy["bands"]
            if "administer_group" in band["privileges"]
        ),
        weights={name: float(value) for name, value in scoring["weights"].items()},
    )


def _lognormal(rng: random.Random, mean: float, sigma: float) -> float:
    return rng.lognormvariate(math.log(mean) - sigma * sigma / 2, sigma)


class _Clock:
    """Seconds since the start → RFC 3339 UTC strings with a "Z"."""

    def __init__(self, start: datetime) -> None:
        self.base = math.floor(start.timestamp())
        self.days: dict[int, str] = {}

    def __call__(self, t: int) -> str:
        day, sod = divmod(self.base + t, DAY)
        prefix = self.days.get(day)
        if prefix is None:
            prefix = datetime.fromtimestamp(day * DAY, UTC).strftime("%Y-%m-%dT")
            self.days[day] = prefix
        hours, rest = divmod(sod, 3600)
        minutes, seconds = divmod(rest, 60)
        return f"{prefix}{hours:02d}:{minutes:02d}:{seconds:02d}Z"

    def hour(self, t: int) -> int:
        return (self.base + t) % DAY // 3600


class _Simulation:
    """One run: accounts, their acts in time order, reviews, late and repeated deliveries."""

    def __init__(self, config: SimConfig) -> None:
        self.cfg = config
        self.rng = random.Random(config.seed)
        self.truth = GroundTruth()
        self.end = config.days * DAY
        self.clock = _Clock(config.start)
        self.texts = _Texts(self.rng)
        self.next_event = 0
        self.out: list[dict[str, object]] = []
        # deliveries put off: (delivery time, sequence, event)
        self.delayed: list[tuple[int, int, dict[str, object]]] = []
        self.delayed_seq = 0
        # things due later: (time, sequence, task, argument)
        self.tasks: list[tuple[int, int, int, int]] = []
        self.task_seq = 0
        # content, by index
        self.c_ids: list[str] = []
        self.c_author: list[int] = []
        self.c_rule: list[str] = []  # "" when the content breaks no rule
        self.c_parent: list[int] = []
        self.c_topic: list[int] = []
        self.c_removed = bytearray()
        self.c_review = bytearray()  # 0 none, 1 scheduled, 2 decided
        self.c_reported: dict[int, str] = {}
        self.c_group: list[int] = []  # -1 for posts and comments
        self.c_hold = bytearray()  # 1 once the post's own mode holds every comment
        self.tickets: list[int] = []  # one entry per engagement: popular content recurs
        self.last_t = -1
        self.same_t = 0
        self.n_registered = 0
        self._setup_accounts()
        self._setup_social()
        self._setup_owners()

    # -- accounts ------------------------------------------------------------

    def _setup_accounts(self) -> None:
        cfg, rng, end = self.cfg, self.rng, self.end
        n = cfg.accounts
        rings = cfg.ring_count or 0
        size = cfg.ring_size
        in_rings = rings * size
        abusive = min(round(n * cfg.abusive_share), n - in_rings)

        def early_or_any(p_early: float) -> int:
            if rng.random() < p_early:
                t = int(rng.expovariate(1.0 / (0.9 * DAY)))
                return t if t < end else rng.randrange(end)
            return rng.randrange(end)

        slots: list[tuple[int, int, int, int]] = []  # (registered, slot, kind, ring)
        for ring in range(rings):
            t = int(rng.random() * end * 0.7)
            for _ in range(size):
                slots.append((min(t, end - 1), len(slots), _RING, ring))
                t += 20 + rng.randrange(380)
        for _ in range(abusive):
            slots.append((early_or_any(0.3), len(slots), _ABUSIVE, -1))
        for _ in range(n - in_rings - abusive):
            slots.append((early_or_any(0.6), len(slots), _ORDINARY, -1))
        slots.sort()

        ring_langs = [_ZH if rng.random() < 0.2 else _EN for _ in range(rings)]
        ring_rules = [tuple(rng.sample(_RING_RULES, rng.randint(1, 2))) for _ in range(rings)]
        spec_rules = list(_SPECIALITY_WEIGHTS)
        spec_weights = list(_SPECIALITY_WEIGHTS.values())

        self.ids = [f"a{i + 1:06d}" for i in range(n)]
        self.kind = [s[2] for s in slots]
        self.reg = [s[0] for s in slots]
        self.ring_of = [s[3] for s in slots]
        self.rate: list[float] = []
        self.lang: list[int] = []
        self.post_w: list[float] = []
        self.rules: list[tuple[str, ...]] = []
        self.viol_rate: list[float] = []
        self.victim: list[int] = [-1] * n
        self.last_content: list[int] = [-1] * n
        self.ring_members: list[list[int]] = [[] for _ in range(rings)]
        self.ring_posts: list[list[int]] = [[] for _ in range(rings)]
        truth = self.truth
        for _, _, kind, _ in slots:
            mean, sigma, _ = _ACTIVITY[kind]
            self.rate.append(min(_MAX_RATE, _lognormal(rng, mean, sigma)))
        languages = self._languages()
        for i, (_, _, kind, ring) in enumerate(slots):
            lang = languages[i]
            rules: tuple[str, ...] = ()
            viol = 0.0
            if kind == _RING:
                lang = ring_langs[ring]
                rules = ring_rules[ring]
                viol = 0.85
                self.ring_members[ring].append(i)
            elif kind == _ABUSIVE:
                first = rng.choices(spec_rules, spec_weights)[0]
                rules = (first,)
                if rng.random() < 0.4:
                    second = rng.choices(spec_rules, spec_weights)[0]
                    if second != first:
                        rules = (first, second)
                viol = 0.3 + 0.4 * rng.random()
                if any(rule in _RARE_RULES for rule in rules):
                    viol *= 0.25
                truth.abusive_accounts.append(self.ids[i])
                truth.specialities[self.ids[i]] = list(rules)
            self.lang.append(lang)
            self.post_w.append(min(0.6, 0.08 * rng.lognormvariate(0.0, 0.7)))
            self.rules.append(rules)
            self.viol_rate.append(viol)
        truth.rings = [[self.ids[i] for i in members] for members in self.ring_members]
        self.mod_ids = [f"m{k + 1:04d}" for k in range(cfg.moderators or 0)]
        self.mod_reg = [rng.randrange(min(600, end)) for _ in self.mod_ids]
        truth.moderators = list(self.mod_ids)

    def _setup_social(self) -> None:
        """Who chats in groups and how much, who creates a group and when, who verifies an
        identity and when (due things go to the task queue)."""
        rng, n = self.rng, self.cfg.accounts
        self.scoring = _default_scoring()
        self.strikes = [0] * n  # upheld violations, less those reversed on appeal
        # groups, by index
        self.g_ids: list[str] = []
        self.g_owner: list[int] = []
        self.g_topic: list[int] = []
        self.g_at: list[int] = []  # -1 until created
        self.g_members: list[list[int]] = []
        self.g_admins: list[list[int]] = []
        self.g_last: list[int] = []  # the latest message, -1 for none
        self.open_groups: list[int] = []
        self.member_of: dict[int, list[int]] = {}
        # owners' estimated standing: [faded sum of deltas, as of, UTC day, gained that day]
        self.standing: dict[int, list[float]] = {}
        # identities: submitted (kind, canonical value, typing style), verified, second accounts
        self.identity: dict[int, tuple[str, str, int]] = {}
        self.identity_values: set[str] = set()
        self.verified: set[int] = set()
        self.submissions: list[tuple[str, int, int]] = []  # (event id, account, moderator)
        self.second: list[tuple[int, str]] = []  # (sanctioned account, second account's id)
        # decisions: (review event id, content, moderator, mistaken); appeals: (id, decision)
        self.decisions: list[tuple[str, int, int, bool]] = []
        self.appeals: list[tuple[str, int]] = []

        self.chat = [0.0] * n  # the share of acts spent in group chats
        for i in range(n):
            share = _CHAT_SHARE[self.kind[i]]
            if share and rng.random() < share:
                self.chat[i] = min(0.6, 0.2 * rng.lognormvariate(0.0, 0.6))
        ordinary = [i for i in range(n) if self.kind[i] == _ORDINARY]
        ordinary.sort(key=lambda i: (-self.rate[i], i))
        count = min(len(ordinary), max(1, n // _ACCOUNTS_PER_GROUP))
        # groups are started by some of the most active members
        for g, i in enumerate(rng.sample(ordinary[: 3 * count], count)):
            self.g_ids.append(f"g{g + 1:05d}")
            self.g_owner.append(i)
            self.g_topic.append(rng.randrange(len(TOPICS)))
            self.g_at.append(-1)
            self.g_members.append([])
            self.g_admins.append([])
            self.g_last.append(-1)
            self.chat[i] = max(self.chat[i], 0.2)
            self.standing[i] = [0.0, float(self.reg[i]), -1.0, 0.0]
            self._later(
                self.reg[i] + 3600 + int(rng.expovariate(1.0 / (2 * DAY))), _CREATE_GROUP, g
            )
        if not self.mod_ids:
            return  # nobody to report the platform's identity checks
        for i in range(n):
            share = _IDENTITY_SHARE[self.kind[i]]
            if share and rng.random() < share:
                self._later(self.reg[i] + 600 + int(rng.expovariate(1.0 / DAY)), _SUBMIT, i)

    def _setup_owners(self) -> None:
        """Who vets the comments under their posts: a small share of ordinary members (more
        among the most active) holds every comment for all their posts from a moment after
        registering; a few others hold the comments under some of their posts. Group owners
        are left out, so that their estimated standing stays the engine's."""
        rng, n = self.rng, self.cfg.accounts
        self.vets = bytearray(n)  # 1 holds under all posts, 2 under some
        self.holding = bytearray(n)  # 1 once the account's mode holds every comment
        ordinary = [i for i in range(n) if self.kind[i] == _ORDINARY and i not in self.standing]
        ordinary.sort(key=lambda i: (-self.rate[i], i))
        top = len(ordinary) // 10
        for rank, i in enumerate(ordinary):
            share = _HOLD_ALL_SHARE[rank >= top]
            r = rng.random()
            if r < share:
                self.vets[i] = 1
                self._later(self.reg[i] + 1 + int(rng.expovariate(1.0 / 30)), _HOLD_ALL, i)
            elif r < share + _HOLD_SOME_SHARE:
                self.vets[i] = 2

    def _languages(self) -> list[int]:
        """Each member's language: about 5% Chinese and 2% Japanese, spread evenly over
        activity levels so that the shares hold for texts too."""
        rng, rate = self.rng, self.rate
        languages = [_EN] * len(rate)
        by_activity = sorted(range(len(rate)), key=lambda i: (-rate[i], i))
        for start in range(0, len(by_activity), 100):
            block = by_activity[start : start + 100]
            zh = int(len(block) * 0.05 + rng.random())
            ja = int(len(block) * 0.02 + rng.random())
            chosen = rng.sample(block, min(len(block), zh + ja))
            for j, i in enumerate(chosen):
                languages[i] = _ZH if j < zh else _JA
        return languages

    def _schedule(self) -> tuple[list[int], int]:
        """Every registration and act as one sortable int: time * space + code."""
        rng, end, hour = self.rng, self.end, self.clock.hour
        expo, rand = rng.expovariate, rng.random
        n = self.cfg.accounts
        total = n + len(self.mod_ids)
        space = 2 * total
        keys = [t * space + total + i for i, t in enumerate(self.reg)]
        keys += [t * space + total + n + k for k, t in enumerate(self.mod_reg)]
        hourly = _HOURLY
        for i in range(n):
            _, _, go_on = _ACTIVITY[self.kind[i]]
            per_session = 1.0 / (1.0 - go_on)
            sessions_per_day = self.rate[i] / per_session / _HOURLY_MEAN
            gap = DAY / sessions_per_day
            t = self.reg[i]
            while True:
                t += int(expo(1.0) * gap) + 1
                if t >= end:
                    break
                if rand() >= hourly[hour(t)]:
                    continue
                s = t
                while s < end:
                    keys.append(s * space + i)
                    if rand() >= go_on:
                        break
                    s += 5 + int(expo(1.0) * 90)
        keys.sort()
        return keys, space

    # -- emission ------------------------------------------------------------

    def _event(self, kind: str, t: int, actor: str) -> dict[str, object]:
        self.next_event += 1
        return {"id": f"e{self.next_event:08d}", "type": kind, "at": self.clock(t), "actor": actor}

    def _emit(self, event: dict[str, object], t: int) -> None:
        cfg, rng = self.cfg, self.rng
        deliver = t
        if cfg.late_share and event["type"] in _LEAF_TYPES and rng.random() < cfg.late_share:
            deliver = t + 120 + int(rng.random() * 3 * 3600)
            self.delayed_seq += 1
            heapq.heappush(self.delayed, (deliver, self.delayed_seq, event))
            self.truth.late_events.append(cast(str, event["id"]))
        else:
            self.out.append(event)
        if cfg.duplicate_share and rng.random() < cfg.duplicate_share:
            self.delayed_seq += 1
            again = deliver + 1 + int(rng.expovariate(1.0 / 120))
            heapq.heappush(self.delayed, (again, self.delayed_seq, dict(event)))
            self.truth.duplicate_events.append(cast(str, event["id"]))

    def events(self) -> Iterator[dict[str, object]]:
        keys, space = self._schedule()
        n = self.cfg.accounts
        total = n + len(self.mod_ids)
        out, delayed, tasks = self.out, self.delayed, self.tasks
        kind, chat, rand, open_groups = self.kind, self.chat, self.rng.random, self.open_groups
        for key in keys:
            t, code = divmod(key, space)
            while tasks and tasks[0][0] <= t:
                self._flush_delayed(tasks[0][0])
                yield from out
                out.clear()
                self._task(*heapq.heappop(tasks))
                yield from out
                out.clear()
            if delayed and delayed[0][0] <= t:
                self._flush_delayed(t)
            if code >= total:
                self._register(code - total, t)
            elif chat[code] and open_groups and rand() < chat[code]:
                self._group_act(code, t)
            else:
                k = kind[code]
                if k == _ORDINARY:
                    self._act_ordinary(code, t)
                elif k == _RING:
                    self._act_ring(code, t)
                else:
                    self._act_abusive(code, t)
            if out:
                yield from out
                out.clear()
        while tasks:
            self._flush_delayed(tasks[0][0])
            self._task(*heapq.heappop(tasks))
            yield from out
            out.clear()
        self._flush_delayed(None)
        yield from out
        out.clear()

    def _later(self, at: int, task: int, arg: int) -> None:
        """Puts a task in the queue, due at ``at``; one due after the period never comes."""
        if at < self.end:
            self.task_seq += 1
            heapq.heappush(self.tasks, (at, self.task_seq, task, arg))

    def _task(self, t: int, _seq: int, task: int, arg: int) -> None:
        if task == _REVIEW:
            self._review(t, arg)
        elif task == _CREATE_GROUP:
            self._create_group(t, arg)
        elif task == _SUBMIT:
            self._submit(t, arg)
        elif task == _VERDICT:
            self._verdict(t, arg)
        elif task == _SECOND_ACCOUNT:
            self._second_account(t, arg)
        elif task == _APPEAL:
            self._appeal(t, arg)
        elif task == _APPEAL_DECISION:
            self._decide_appeal(t, arg)
        elif task == _HOLD_ALL:
            self._hold_all(t, arg)
        elif task == _HOLD_POST:
            self._hold_post(t, arg)
        else:
            self._owner_decides(t, arg)

    def _flush_delayed(self, until: int | None) -> None:
        delayed = self.delayed
        while delayed and (until is None or delayed[0][0] <= until):
            self.out.append(heapq.heappop(delayed)[2])

    def _register(self, i: int, t: int) -> None:
        n = self.cfg.accounts
        if i < n:
            self.n_registered = i + 1
            event = self._event("account.registered", t, self.ids[i])
            event["role"] = "member"
        else:
            event = self._event("account.registered", t, self.mod_ids[i - n])
            event["role"] = "moderator"
        self._emit(event, t)

    # -- content ---------------------------------------------------------------

    def _visible(self, t: int) -> int:
        """How much content was posted strictly before ``t``."""
        n = len(self.c_ids)
        return n - self.same_t if self.last_t == t else n

    def _pick(self, visible: int, me: int) -> int:
        """A content item someone sees: mostly recent, popular items recur; -1 if none."""
        if visible == 0:
            return -1
        rng = self.rng
        tickets = self.tickets
        scale = 30 + visible // 40
        for _ in range(4):
            if tickets and rng.random() < 0.3:
                j = len(tickets) - 1 - int(rng.expovariate(1.0) * 4 * scale)
                c = tickets[j] if j >= 0 else tickets[rng.randrange(len(tickets))]
            else:
                c = visible - 1 - int(rng.expovariate(1.0) * scale)
                if c < 0:
                    c = rng.randrange(visible)
            if (
                c < visible
                and not self.c_removed[c]
                and self.c_author[c] != me
                and self.c_group[c] < 0
            ):
                return c
        return -1

    def _post(
        self,
        i: int,
        t: int,
        parent: int,
        topic: int,
        text: str,
        rule: str,
        obfuscated: bool,
        group: int = -1,
    ) -> int:
        c = len(self.c_ids)
        cid = f"c{c + 1:07d}"
        self.c_ids.append(cid)
        self.c_author.append(i)
        self.c_rule.append(rule)
        self.c_parent.append(parent)
        self.c_topic.append(topic)
        self.c_removed.append(0)
        self.c_review.append(0)
        self.c_group.append(group)
        self.c_hold.append(0)
        if self.last_t == t:
            self.same_t += 1
        else:
            self.last_t, self.same_t = t, 1
        event = self._event("content.posted", t, self.ids[i])
        event["content_id"] = cid
        if group >= 0:
            event["kind"] = "message"
            event["group_id"] = self.g_ids[group]
        elif parent >= 0:
            event["kind"] = "comment"
            event["parent_id"] = self.c_ids[parent]
            self.tickets.append(parent)
            self.last_content[i] = c
        else:
            event["kind"] = "post"
            self.last_content[i] = c
        event["text"] = text
        self._emit(event, t)
        if parent >= 0:
            self._held(i, t, c, parent)
        elif group < 0 and self.vets[i] == 2 and self.rng.random() < _HOLD_POST_SHARE:
            self._later(t + 1 + int(self.rng.expovariate(1.0 / 60)), _HOLD_POST, c)
        if i in self.standing:
            weights = self.scoring.weights
            self._credit(i, t, weights[cast(str, event["kind"])])
            if parent >= 0 and self.c_rule[parent]:
                self._credit(i, t, weights["engaged_violating"])
        if rule:
            self.truth.violating_content[cid] = rule
            if obfuscated:
                self.truth.obfuscated_content.append(cid)
            rng = self.rng
            if self.mod_ids and rng.random() < 0.04:
                self._schedule_review(c, t + 3600 + int(rng.expovariate(1.0 / (12 * 3600))))
        return c

    def _held(self, i: int, t: int, c: int, parent: int) -> None:
        """A comment under content whose mode holds every comment (its own, else its
        author's) waits for that owner, who decides on it hours later, but only when the
        engine surely published it: the commenter has no upheld violation (so no sanction,
        and standing enough to comment) and is outside the rings (whose likes of labelled
        spam cost them standing the simulation does not follow)."""
        owner = self.c_author[parent]
        if owner == i or not (self.c_hold[parent] or self.holding[owner]):
            return
        if self.strikes[i] or self.kind[i] == _RING:
            return
        self._later(t + 1800 + int(self.rng.expovariate(1.0 / (4 * 3600))), _OWNER_DECISION, c)

    def _hold_all(self, t: int, i: int) -> None:
        """A member holds every comment under all their posts for their approval."""
        event = self._event("comment.mode_set", t, self.ids[i])
        event["mode"] = "hold_all"
        self._emit(event, t)
        self.holding[i] = 1
        self.truth.comment_owners.append(self.ids[i])

    def _hold_post(self, t: int, c: int) -> None:
        """A member holds every comment under one post of theirs, just after posting it."""
        event = self._event("comment.mode_set", t, self.ids[self.c_author[c]])
        event["content_id"] = self.c_ids[c]
        event["mode"] = "hold_all"
        self._emit(event, t)
        self.c_hold[c] = 1

    def _owner_decides(self, t: int, c: int) -> None:
        """The owner approves a waiting comment, or rejects it: most violating ones, a few
        others. Nothing to decide once a moderator removed it."""
        if self.c_removed[c]:
            return
        rng = self.rng
        owner = self.c_author[self.c_parent[c]]
        reject = rng.random() < (_REJECT_VIOLATING if self.c_rule[c] else _REJECT_ORDINARY)
        kind = "comment.rejected" if reject else "comment.approved"
        event = self._event(kind, t, self.ids[owner])
        cid = self.c_ids[c]
        event["content_id"] = cid
        if reject and rng.random() < 0.3:
            event["note"] = rng.choice(REJECTION_NOTES)
        self._emit(event, t)
        self.truth.owner_decisions[cid] = "rejected" if reject else "approved"

    def _engage(self, i: int, t: int, c: int, share: bool) -> None:
        event = self._event("content.engaged", t, self.ids[i])
        event["content_id"] = self.c_ids[c]
        event["kind"] = "share" if share else "like"
        self.tickets.append(c)
        self._emit(event, t)
        standing = self.standing
        if standing:
            weights = self.scoring.weights
            violating = self.c_rule[c]
            if i in standing:
                given = "share_given" if share else "like_given"
                self._credit(i, t, weights["engaged_violating" if violating else given])
            author = self.c_author[c]
            if author in standing and not violating and not self.c_removed[c]:
                self._credit(author, t, weights["share_received" if share else "like_received"])

    def _report(self, i: int, t: int, c: int, rule: str) -> None:
        rng = self.rng
        event = self._event("content.reported", t, self.ids[i])
        event["content_id"] = self.c_ids[c]
        event["rule"] = rule
        if rng.random() < 0.4:
            family = rule.split(".", 1)[0]
            event["note"] = rng.choice(REPORT_NOTES.get(family, REPORT_NOTES[""]))
        if self.c_rule[c] != rule:
            self.truth.wrong_reports.append(cast(str, event["id"]))
        self._emit(event, t)
        self.c_reported.setdefault(c, rule)
        if self.c_review[c] == 0 and self.mod_ids and rng.random() < 0.9:
            delay = 4 * 3600 + min(6 * DAY, int(rng.expovariate(1.0 / (18 * 3600))))
            self._schedule_review(c, t + delay)

    def _schedule_review(self, c: int, at: int) -> None:
        if self.c_review[c]:
            return
        self.c_review[c] = 1
        self._later(at, _REVIEW, c)

    def _review(self, t: int, c: int) -> None:
        rng = self.rng
        self.c_review[c] = 2
        if self.c_removed[c]:
            return
        true_rule = self.c_rule[c]
        if true_rule:
            rule = true_rule
            violates = rng.random() < 0.95
        else:
            rule = self.c_reported.get(c, "spam.bulk")
            violates = rng.random() >= 0.95
        moderator = rng.randrange(len(self.mod_ids))
        event = self._event("review.decided", t, self.mod_ids[moderator])
        event["content_id"] = self.c_ids[c]
        event["rule"] = rule
        event["verdict"] = "violates" if violates else "clear"
        if violates != bool(true_rule):
            self.truth.mistaken_reviews.append(cast(str, event["id"]))
        if violates:
            self.c_removed[c] = 1
        self._emit(event, t)
        if violates:
            self._upheld(t, c, cast(str, event["id"]), moderator, not true_rule)

    def _upheld(self, t: int, c: int, decision: str, moderator: int, mistaken: bool) -> None:
        """After an upheld violation: the author may appeal (more often when the review was
        mistaken), and a verified abusive author with enough of them comes back under a
        second account."""
        rng = self.rng
        author = self.c_author[c]
        self.strikes[author] += 1
        self.decisions.append((decision, c, moderator, mistaken))
        if len(self.mod_ids) > 1 and rng.random() < (0.6 if mistaken else 0.12):
            at = t + 6 * 3600 + int(rng.expovariate(1.0 / (2 * DAY)))
            self._later(at, _APPEAL, len(self.decisions) - 1)
        if (
            self.strikes[author] == _EVADE_AFTER
            and self.kind[author] == _ABUSIVE
            and author in self.verified
        ):
            at = t + 3600 + int(rng.expovariate(1.0 / (2 * DAY)))
            self._later(at, _SECOND_ACCOUNT, author)

    def _appeal(self, t: int, d: int) -> None:
        rng = self.rng
        decision, c, _, _ = self.decisions[d]
        appeal_id = f"ap{len(self.appeals) + 1:06d}"
        event = self._event("appeal.filed", t, self.ids[self.c_author[c]])
        event["appeal_id"] = appeal_id
        event["decision_id"] = decision
        event["reason"] = rng.choice(APPEAL_REASONS)
        self._emit(event, t)
        self.appeals.append((appeal_id, d))
        at = t + 3600 + int(rng.expovariate(1.0 / (2 * DAY)))
        self._later(at, _APPEAL_DECISION, len(self.appeals) - 1)

    def _decide_appeal(self, t: int, k: int) -> None:
        """Another moderator decides: a mistaken review is reversed, and a few others."""
        rng = self.rng
        appeal_id, d = self.appeals[k]
        _, c, moderator, mistaken = self.decisions[d]
        other = rng.randrange(len(self.mod_ids) - 1)
        if other >= moderator:
            other += 1
        reversed_ = mistaken or rng.random() < 0.05
        event = self._event("appeal.decided", t, self.mod_ids[other])
        event["appeal_id"] = appeal_id
        event["outcome"] = "reversed" if reversed_ else "upheld"
        self._emit(event, t)
        self.truth.appeals[appeal_id] = cast(str, event["outcome"])
        if reversed_:
            self.c_removed[c] = 0
            self.strikes[self.c_author[c]] -= 1

    # -- groups ------------------------------------------------------------------

    def _create_group(self, t: int, g: int) -> None:
        """The owner creates the group, unless a violation of theirs was upheld by now."""
        owner = self.g_owner[g]
        if self.strikes[owner]:
            return
        event = self._event("group.created", t, self.ids[owner])
        event["group_id"] = self.g_ids[g]
        event["name"] = self.texts.group_name(self.lang[owner], self.g_topic[g])
        self._emit(event, t)
        self.g_at[g] = t
        self.g_members[g].append(owner)
        self.member_of.setdefault(owner, []).append(g)
        self.open_groups.append(g)

    def _group_act(self, i: int, t: int) -> None:
        """An act in group chats: mostly a message; joining one, leaving one, or (an owner)
        making a member an admin."""
        rng = self.rng
        mine = self.member_of.get(i)
        if not mine or (len(mine) < _MAX_GROUPS and rng.random() < 0.03):
            self._join(i, t, mine)
            return
        g = mine[rng.randrange(len(mine))]
        r = rng.random()
        if self.g_owner[g] == i:
            if r < 0.25 and self._promote(i, t, g):
                return
        elif r < 0.015:
            self._leave(i, t, g)
            return
        self._message(i, t, g)

    def _join(self, i: int, t: int, mine: list[int] | None) -> None:
        groups = self.open_groups
        g = groups[self.rng.randrange(len(groups))]
        if self.g_at[g] >= t or (mine is not None and g in mine):
            return
        event = self._event("group.joined", t, self.ids[i])
        event["group_id"] = self.g_ids[g]
        self._emit(event, t)
        self.g_members[g].append(i)
        self.member_of.setdefault(i, []).append(g)

    def _leave(self, i: int, t: int, g: int) -> None:
        event = self._event("group.left", t, self.ids[i])
        event["group_id"] = self.g_ids[g]
        self._emit(event, t)
        self.g_members[g].remove(i)
        self.member_of[i].remove(g)
        if i in self.g_admins[g]:
            self.g_admins[g].remove(i)

    def _promote(self, i: int, t: int, g: int) -> bool:
        """The owner makes a member an admin, once their standing grants administration;
        False if they did not."""
        members, admins = self.g_members[g], self.g_admins[g]
        if len(admins) >= 2 or len(members) < 4 or self.strikes[i]:
            return False
        if self._estimate(i, t) < self.scoring.administer_from + 3.0:
            return False
        member = members[self.rng.randrange(len(members))]
        if member == i or member in admins:
            return False
        event = self._event("group.role_changed", t, self.ids[i])
        event["group_id"] = self.g_ids[g]
        event["member"] = self.ids[member]
        event["role"] = "admin"
        self._emit(event, t)
        admins.append(member)
        return True

    def _message(self, i: int, t: int, g: int) -> None:
        """A message to a group; an ordinary member may first react to a violating one."""
        rng = self.rng
        last = self.g_last[g]
        if (
            last >= 0
            and self.c_rule[last]
            and self.kind[i] == _ORDINARY
            and not self.c_removed[last]
            and self.c_author[last] != i
            and last < self._visible(t)
            and not self._reaction_to_violation(i, t, last)
        ):
            return
        topic = self.g_topic[g]
        if self.viol_rate[i] and rng.random() < self.viol_rate[i]:
            rule = rng.choice(self.rules[i])
            members = self.g_members[g]
            other = members[rng.randrange(len(members))]
            victim = "@" + self.ids[other] if other != i else "@everyone"
            text, obfuscated = self.texts.violating(rule, self.lang[i], victim, i)
            self.g_last[g] = self._post(i, t, -1, topic, text, rule, obfuscated, g)
        else:
            text = self.texts.message(self.lang[i], topic)
            self.g_last[g] = self._post(i, t, -1, topic, text, "", False, g)

    def _credit(self, i: int, t: int, delta: float) -> None:
        """A ledger delta to a group owner's estimated standing (gains capped per UTC day,
        every delta fading with the policy's half-life, as the engine scores)."""
        s, scoring = self.standing[i], self.scoring
        if delta > 0:
            day = float((self.clock.base + t) // DAY)
            if day > s[2]:
                s[2], s[3] = day, 0.0
            delta = min(delta, scoring.daily_cap - s[3])
            if delta <= 0:
                return
            s[3] += delta
        s[0] = s[0] * math.exp2((s[1] - t) / scoring.half_life) + delta
        s[1] = t

    def _estimate(self, i: int, t: int) -> float:
        """A group owner's estimated score at ``t``."""
        s, scoring = self.standing[i], self.scoring
        return scoring.start + s[0] * math.exp2((s[1] - t) / scoring.half_life)

    # -- identities ------------------------------------------------------------

    def _submit(self, t: int, who: int) -> None:
        """An identity submitted: a member's own (then checked by the platform), or, for
        ``who`` past the members, a second account's copy of a sanctioned member's."""
        rng = self.rng
        n = self.cfg.accounts
        if who < n:
            kind = "cn.ric" if rng.random() < 0.5 else "phone"
            value = ""
            while not value or value in self.identity_values:
                value = resident_number(rng) if kind == "cn.ric" else mobile_number(rng)
            self.identity_values.add(value)
            style = 0 if rng.random() < 0.6 else rng.randrange(1, TYPING_STYLES)
            self.identity[who] = (kind, value, style)
            actor = self.ids[who]
        else:
            original, actor = self.second[who - n]
            kind, value, first_style = self.identity[original]
            style = (first_style + 1 + rng.randrange(TYPING_STYLES - 1)) % TYPING_STYLES
        event = self._event("identity.submitted", t, actor)
        event["account"] = actor
        event["kind"] = kind
        event["value"], region = typed(kind, value, style)
        if region is not None:
            event["region"] = region
        self._emit(event, t)
        submission = cast(str, event["id"])
        if who >= n:
            self.truth.evasion_attempts[submission] = self.ids[original]
            return
        moderator = rng.randrange(len(self.mod_ids))
        if kind == "phone":  # an SMS code, typed in within minutes
            delay = 30 + int(rng.expovariate(1.0 / 300))
        else:  # a document check
            delay = 1800 + int(rng.expovariate(1.0 / (12 * 3600)))
        self.submissions.append((submission, who, moderator))
        at = max(t + delay, self.mod_reg[moderator] + 1)
        self._later(at, _VERDICT, len(self.submissions) - 1)

    def _verdict(self, t: int, k: int) -> None:
        """The platform's check of a submission, reported by a moderator: mostly verified."""
        submission, who, moderator = self.submissions[k]
        phone = self.identity[who][0] == "phone"
        rejected = self.rng.random() < 0.05
        kind = "identity.rejected" if rejected else "identity.verified"
        event = self._event(kind, t, self.mod_ids[moderator])
        event["account"] = self.ids[who]
        event["submission"] = submission
        if rejected:
            event["reason"] = "sms_code_expired" if phone else "document_mismatch"
        else:
            event["method"] = "sms_code" if phone else "document_check"
            self.verified.add(who)
        self._emit(event, t)

    def _second_account(self, t: int, original: int) -> None:
        """A sanctioned member registers again and soon submits the same identity (if there
        is time left for both)."""
        submit_at = t + 60 + int(self.rng.expovariate(1.0 / 600))
        if submit_at >= self.end:
            return
        k = len(self.second)
        account = f"a{self.cfg.accounts + k + 1:06d}"
        self.second.append((original, account))
        event = self._event("account.registered", t, account)
        event["role"] = "member"
        self._emit(event, t)
        self._later(submit_at, _SUBMIT, self.cfg.accounts + k)

    # -- acts ----------------------------------------------------------------

    def _reaction_to_violation(self, i: int, t: int, c: int) -> bool:
        """An ordinary member meets violating content; True if they went on to engage."""
        rng = self.rng
        r = rng.random()
        if r < 0.3:
            true_rule = self.c_rule[c]
            rule = true_rule
            if rng.random() < 0.15 and true_rule in SIBLING_RULES:
                rule = rng.choice(SIBLING_RULES[true_rule])
            self._report(i, t, c, rule)
            return False
        return r >= 0.8

    def _act_ordinary(self, i: int, t: int) -> None:
        rng = self.rng
        visible = self._visible(t)
        r = rng.random()
        post_w = self.post_w[i]
        if visible == 0 or r < post_w:
            if rng.random() < 0.002:
                rule = rng.choice(("spam.links", "ip.piracy", "consumer.fake_reviews"))
                text, obf = self.texts.violating(rule, self.lang[i], "", i)
                self._post(i, t, -1, -1, text, rule, obf)
            else:
                topic = rng.randrange(len(TOPICS))
                self._post(
                    i, t, -1, topic, self.texts.ordinary(self.lang[i], topic, False), "", False
                )
            return
        c = self._pick(visible, i)
        if c < 0:
            return
        if self.c_rule[c] and not self._reaction_to_violation(i, t, c):
            return
        if not self.c_rule[c] and rng.random() < 0.004:
            self._report(i, t, c, rng.choice(MISREPORTED_RULES))
            return
        if r < post_w + 0.17:
            if self.c_parent[c] >= 0 and rng.random() < 0.7:
                parent = self.c_parent[c]
                if self.c_removed[parent] or self.c_author[parent] == i:
                    parent = c
                c = parent
            if rng.random() < 0.004:
                victim = "@" + self.ids[self.c_author[c]]
                text, obf = self.texts.violating("harassment.insults", self.lang[i], victim, i)
                self._post(i, t, c, -1, text, "harassment.insults", obf)
                return
            topic = self.c_topic[c] if self.c_topic[c] >= 0 else rng.randrange(len(TOPICS))
            self._post(i, t, c, topic, self.texts.ordinary(self.lang[i], topic, True), "", False)
        else:
            self._engage(i, t, c, r >= 0.88)

    def _victim(self, i: int) -> int:
        if self.victim[i] < 0 or self.rng.random() < 0.2:
            rng = self.rng
            v = rng.randrange(self.n_registered)
            self.victim[i] = v if v != i else -1
        return self.victim[i]

    def _act_abusive(self, i: int, t: int) -> None:
        rng = self.rng
        visible = self._visible(t)
        r = rng.random()
        if r < 0.65 or visible == 0:
            rule = ""
            if rng.random() < self.viol_rate[i]:
                rule = rng.choice(self.rules[i])
            parent = -1
            as_comment = visible > 0 and (rule in _COMMENT_RULES or r >= 0.4)
            if as_comment and rule in ("harassment.targeted", "threat.violence", "privacy.doxxing"):
                v = self._victim(i)
                target = self.last_content[v] if v >= 0 else -1
                if 0 <= target < visible and not self.c_removed[target]:
                    parent = target
            if as_comment and parent < 0:
                parent = self._pick(visible, i)
            if rule:
                victim = ""
                if parent >= 0:
                    victim = "@" + self.ids[self.c_author[parent]]
                else:
                    v = self._victim(i)
                    victim = "@" + self.ids[v] if v >= 0 else "@everyone"
                text, obf = self.texts.violating(rule, self.lang[i], victim, i)
                self._post(i, t, parent, -1, text, rule, obf)
            else:
                topic = self.c_topic[parent] if parent >= 0 else -1
                if topic < 0:
                    topic = rng.randrange(len(TOPICS))
                text = self.texts.ordinary(self.lang[i], topic, parent >= 0)
                self._post(i, t, parent, topic, text, "", False)
            return
        c = self._pick(visible, i)
        if c >= 0:
            self._engage(i, t, c, r >= 0.95)

    def _act_ring(self, i: int, t: int) -> None:
        rng = self.rng
        visible = self._visible(t)
        ring = self.ring_of[i]
        posts = self.ring_posts[ring]
        r = rng.random()
        if r < 0.6 and posts:
            for _ in range(3):
                j = len(posts) - 1 - min(len(posts) - 1, int(rng.expovariate(1.0) * 4))
                c = posts[j]
                if c < visible and self.c_author[c] != i and not self.c_removed[c]:
                    self._engage(i, t, c, rng.random() < 0.3)
                    return
        if r < 0.85 or visible == 0:
            if rng.random() < self.viol_rate[i]:
                rule = rng.choice(self.rules[i])
                text, obf = self.texts.violating(rule, self.lang[i], "", i)
            else:
                rule, obf = "", False
                text = self.texts.ordinary(self.lang[i], rng.randrange(len(TOPICS)), False)
            posts.append(self._post(i, t, -1, -1, text, rule, obf))
            return
        c = self._pick(visible, i)
        if c < 0:
            return
        if r < 0.95:
            self._engage(i, t, c, False)
        else:
            text, obf = self.texts.violating("spam.links", self.lang[i], "", i)
            self._post(i, t, c, -1, text, "spam.links", obf)
