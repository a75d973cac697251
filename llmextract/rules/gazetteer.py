"""Small built-in word lists for entity typing (countries, cities, organisations, cues)."""

from __future__ import annotations

EVENT_TAILS = frozenset(
    "fire storm hurricane typhoon cyclone earthquake quake war act code bill cup open games "
    "olympics championship championships tournament prize award day week festival summit "
    "protocol agreement treaty accord plan law decree".split()
)
LOC_AFTER = frozenset(
    "province region county state city town district village river valley prefecture oblast "
    "island islands border regency".split()
)
CORP_SUFFIX = frozenset("ag inc inc. ltd ltd. co co. corp corp. sa plc group llc gmbh".split())
LOC_APPOSITIVE = frozenset(
    "town city village county region province district state country capital island "
    "municipality suburb neighbourhood neighborhood area port locality".split()
)
__all__ = [
    "COMMON_WORDS",
    "CORP_SUFFIX",
    "DEMONYMS",
    "EVENT_TAILS",
    "GIVEN_NAMES",
    "KNOWN_ORGS",
    "LOCATIONS",
    "LOC_AFTER",
    "LOC_APPOSITIVE",
    "LOC_CUES",
    "ORG_CUES",
    "ORG_HEADS",
    "PARTY_PLURALS",
    "PERSON_TITLES",
    "TIME_WORDS",
]


# "Democrats and Republicans argued": members of a party named in the plural.
PARTY_PLURALS = frozenset(
    "democrats republicans tories conservatives liberals socialists greens".split()
)


def _set(s: str) -> frozenset[str]:
    return frozenset(x.strip().lower() for x in s.replace("\n", "").split("|") if x.strip())


LOCATIONS = _set(
    """Afghanistan|Albania|Algeria|Angola|Argentina|Armenia|Australia|Austria|Azerbaijan|
    Bahrain|Bangladesh|Belarus|Belgium|Benin|Bolivia|Bosnia|Botswana|Brazil|Bulgaria|
    Burkina Faso|Burundi|Cambodia|Cameroon|Canada|Chad|Chile|China|Colombia|Congo|Costa Rica|
    Croatia|Cuba|Cyprus|Czech Republic|Denmark|Djibouti|Ecuador|Egypt|El Salvador|Eritrea|
    Estonia|Ethiopia|Fiji|Finland|France|Gabon|Gambia|Georgia|Germany|Ghana|Greece|Guatemala|
    Guinea|Haiti|Honduras|Hungary|Iceland|India|Indonesia|Iran|Iraq|Ireland|Israel|Italy|
    Ivory Coast|Jamaica|Japan|Jordan|Kazakhstan|Kenya|Kosovo|Kuwait|Kyrgyzstan|Laos|Latvia|
    Lebanon|Liberia|Libya|Lithuania|Luxembourg|Madagascar|Malawi|Malaysia|Maldives|Mali|Malta|
    Mauritania|Mexico|Moldova|Mongolia|Montenegro|Morocco|Mozambique|Myanmar|Namibia|Nepal|
    Netherlands|New Zealand|Nicaragua|Niger|Nigeria|North Korea|South Korea|Korea|Norway|Oman|
    Pakistan|Palestine|Panama|Paraguay|Peru|Philippines|Poland|Portugal|Qatar|Romania|Russia|
    Rwanda|Saudi Arabia|Senegal|Serbia|Sierra Leone|Singapore|Slovakia|Slovenia|Somalia|
    South Africa|South Sudan|Spain|Sri Lanka|Sudan|Sweden|Switzerland|Syria|Taiwan|Tajikistan|
    Tanzania|Thailand|Togo|Tunisia|Turkey|Turkmenistan|Uganda|Ukraine|United Arab Emirates|UAE|
    United Kingdom|UK|Britain|Great Britain|England|Scotland|Wales|United States|US|U.S.|USA|
    America|Uruguay|Uzbekistan|Venezuela|Vietnam|Yemen|Zambia|Zimbabwe|Gaza|West Bank|Crimea|
    Europe|Asia|Africa|Latin America|Middle East|Southeast Asia|South Asia|East Asia|
    North America|South America|Antarctica|Arctic|Pacific|Atlantic|Kashmir|Tibet|Hong Kong|
    Macau|Puerto Rico|Greenland|Kurdistan|Donbas|Kursk|Balkans|Caribbean|Scandinavia|
    Beijing|Shanghai|Tokyo|Seoul|Pyongyang|Moscow|Kyiv|Kiev|London|Paris|Berlin|Rome|Madrid|
    Brussels|Washington|New York|Los Angeles|Chicago|Houston|San Francisco|Boston|Miami|
    Seattle|Atlanta|Dallas|Philadelphia|Baltimore|Detroit|Denver|Toronto|Montreal|Vancouver|
    Ottawa|Mexico City|Sao Paulo|Rio de Janeiro|Buenos Aires|Lima|Bogota|Caracas|Santiago|
    Cairo|Lagos|Abuja|Nairobi|Johannesburg|Cape Town|Addis Ababa|Khartoum|Kinshasa|Dakar|
    Accra|Istanbul|Ankara|Tehran|Baghdad|Damascus|Beirut|Jerusalem|Tel Aviv|Riyadh|Dubai|
    Abu Dhabi|Doha|Kabul|Islamabad|Karachi|Lahore|New Delhi|Delhi|Mumbai|Kolkata|Chennai|
    Bangalore|Bengaluru|Hyderabad|Dhaka|Colombo|Kathmandu|Bangkok|Hanoi|Jakarta|Manila|
    Kuala Lumpur|Taipei|Sydney|Melbourne|Canberra|Auckland|Wellington|Vienna|Warsaw|Prague|
    Budapest|Athens|Lisbon|Dublin|Amsterdam|Stockholm|Oslo|Copenhagen|Helsinki|Geneva|
    Zurich|Milan|Munich|Frankfurt|Hamburg|Barcelona|Minsk|Kharkiv|Odesa|Odessa|Mariupol|
    Vladivostok|Manchester|Birmingham|Glasgow|Edinburgh|Shenzhen|Guangzhou|Wuhan|Hangzhou|
    Chengdu|Osaka|Busan|Singapore|California|Texas|Florida|Alaska|Hawaii|Maryland|Virginia|
    Manhattan|Brooklyn|Albany|Ontario|Quebec|Yunnan|Sichuan|Xinjiang|Sumatra|Java|Bali|
    Borneo|Mindanao|Punjab|Bengal|West Bengal|Kerala|Gujarat|Bihar|Jharkhand|Siberia|
    Bavaria|Catalonia|Queensland|Normandy|Far East|Northern Ireland|
    Alabama|Arizona|Arkansas|Colorado|Connecticut|Delaware|Idaho|Illinois|Indiana|Iowa|
    Kansas|Kentucky|Louisiana|Maine|Massachusetts|Michigan|Minnesota|Mississippi|Missouri|
    Montana|Nebraska|Nevada|New Hampshire|New Jersey|New Mexico|North Carolina|
    North Dakota|Ohio|Oklahoma|Oregon|Pennsylvania|Rhode Island|South Carolina|
    South Dakota|Tennessee|Utah|Vermont|West Virginia|Wisconsin|Wyoming|Alberta|
    British Columbia|Manitoba|Saskatchewan|Nova Scotia|New South Wales|Tasmania|
    Western Australia|South Australia"""
)
DEMONYMS = _set(
    """American|British|Chinese|Russian|Ukrainian|Korean|North Korean|South Korean|Japanese|
    Indian|Pakistani|Iranian|Iraqi|Israeli|Palestinian|Syrian|Turkish|German|French|Italian|
    Spanish|Portuguese|Dutch|Belgian|Swiss|Austrian|Polish|Czech|Hungarian|Greek|Swedish|
    Norwegian|Danish|Finnish|Irish|Scottish|Welsh|English|European|African|Asian|Arab|
    Canadian|Mexican|Brazilian|Argentine|Chilean|Colombian|Venezuelan|Cuban|Australian|
    Nigerian|Kenyan|Ethiopian|Egyptian|Saudi|Emirati|Qatari|Afghan|Bangladeshi|Indonesian|
    Malaysian|Thai|Vietnamese|Filipino|Taiwanese|Western|Eastern|Northern|Southern|Muslim|
    Christian|Jewish|Islamic|Catholic|Sri Lankan|Kurdish|Somali|Sudanese|Libyan|Yemeni|
    Lebanese|Jordanian|Kazakh|Uzbek|Georgian|Armenian|Belarusian|Serbian|Croatian|Romanian|
    Bulgarian|Latin|Soviet|Olympic|Democrat|Democratic|Republican|Conservative|Labour|Liberal"""
)
KNOWN_ORGS = _set(
    """AFP|Reuters|AP|Associated Press|Red Cross|American Red Cross|British Red Cross|
    Red Crescent|International Committee of the Red Cross|
    Xinhua|PTI|IANS|ANI|dpa|UPI|Bloomberg|TASS|Tass|
    Yonhap|Kyodo|KCNA|BBC|CNN|NATO|UN|United Nations|EU|European Union|WHO|IMF|World Bank|
    OPEC|UNICEF|UNHCR|IOM|ICC|ICJ|WTO|ASEAN|African Union|FBI|CIA|NSA|Pentagon|Kremlin|
    White House|Congress|Senate|Parliament|Federal Reserve|Fed|Supreme Court|Red Cross|
    Red Crescent|Amnesty International|Human Rights Watch|Greenpeace|Hamas|Hezbollah|Taliban|
    Islamic State|ISIS|Al-Qaeda|Google|Apple|Microsoft|Amazon|Meta|Facebook|Twitter|X|
    Tesla|Samsung|Toyota|Volkswagen|Boeing|Airbus|Sony|Huawei|Alibaba|Tencent|OpenAI|Nvidia|
    Intel|IBM|Netflix|Uber|Shell|BP|Exxon|ExxonMobil|Chevron|Gazprom|Aramco|Pfizer|Moderna|
    Goldman Sachs|JPMorgan|Citigroup|HSBC|Barclays|Deutsche Bank|Nasdaq|Dow Jones|
    New York Stock Exchange|Wall Street Journal|New York Times|Washington Post|Guardian|
    Financial Times|Al Jazeera|Interfax|RIA Novosti|Sotheby's|Christie's|FIFA|UEFA|IOC|
    WTA|ATP|NBA|NFL|MLB|NHL|Wikipedia|Telegram|WhatsApp|YouTube|Instagram|TikTok|CDC|
    NASA|SpaceX|Interpol|Europol|OECD|G7|G20|BRICS|Wagner|Thomson First Call|
    Thomson Reuters|Refinitiv|FactSet|LSEG|Zacks|Morningstar|Moody's|Fitch|S&P Global|
    Standard & Poor's|Nielsen|Gallup|Ipsos|YouGov|Frontex"""
)
ORG_CUES = _set(
    """Ministry|Agency|Council|Service|Services|Inc|Inc.|Corp|Corp.|Corporation|Bank|
    University|Party|Police|Army|Navy|Committee|Commission|Center|Centre|Department|Office|
    Organization|Organisation|Association|Union|Court|Parliament|Senate|Congress|Assembly|
    Institute|Foundation|Company|Co|Co.|Ltd|Ltd.|Group|Airlines|Airways|Air Lines|Fund|Board|
    Authority|Network|Times|News|Post|Exchange|Reserve|Movement|Forces|Guard|Federation|
    League|Holdings|AG|SA|PLC|GmbH|LLC|Club|FC|Staff|Bureau|Administration|Government|
    Cabinet|Secretariat|Chancellery|Chancery|Tribunal|Church|Hospital|School|College|
    Academy|Society|Alliance|
    Coalition|Front|Brigade|Brigades|Command|Chiefs of Staff|Railway|Railways|Motors|Media|
    Press|Radio|Television|TV|Channel|Journal|Herald|Tribune|Gazette|Magazine|Studios|
    Systems|Technologies|Pharmaceuticals|Energy|Oil|Petroleum|Telecom|Communications|
    International|Partners|Capital|Securities|Insurance|Trust|Cooperative|Directorate|
    Parliamentary|Consulate|Embassy|Prosecutor's Office|Sheriff's Office|Sheriff’s Office|
    Unit|Units|Teams|Force|Corps|Conference|Congress|Programme|Program|Initiative|Project|
    Mobile|Warehouse|Stores|Supermarkets"""
)
ORG_HEADS = _set(
    """Ministry|Department|Bank|University|Office|Council|Commission|Committee|Agency|
    Institute|Church|Party|Bureau|Board|Court|House|Organisation|Organization|Association|
    Federation|Union|League|Service|Government|Friends|Brothers|Chiefs|Bureau|Centre|Center|
    Centres|Centers|Academy|School|College|Society|Institute|Corporation"""
)
LOC_CUES = _set(
    """River|Mountain|Mountains|Mount|Lake|Sea|Ocean|Island|Islands|County|Province|State|
    City|Region|District|Valley|Forest|Park|Street|Avenue|Road|Bay|Gulf|Peninsula|Coast|
    Airport|Square|Bridge|Strait|Desert|Canal|Highway|Interstate|Oblast|Prefecture|Village|
    Town|Beach|Falls|Basin|Plateau|Hills|Heights|Harbor|Harbour|Port|Station|Stadium|
    Territory|Republic|Kingdom|Emirates|Concourse|National Forest|Borough|Township|Municipality"""
)
PERSON_TITLES = _set(
    """President|Vice President|Prime Minister|Minister|Premier|Chancellor|Dr|Dr.|Mr|Mr.|Mrs|
    Mrs.|Ms|Ms.|Prof|Prof.|Professor|Sen.|Senator|Rep.|Representative|Gen.|General|Col.|
    Colonel|Judge|Justice|Secretary|Chairman|Chairwoman|Mayor|Governor|Gov.|Ambassador|King|
    Queen|Prince|Princess|Pope|Sheikh|Lt.|Capt.|Captain|Sgt.|Sergeant|Coach|Chief|Director|
    Commissioner|Speaker|Lord|Lady|Sir|Dame|Rev.|Father|Bishop|Archbishop|Imam|Rabbi|
    Inspector|Superintendent|Officer|Deputy|Admiral|Marshal|Major|Lieutenant|Spokesman|
    Spokeswoman|CEO|Chair|Auctioneer|Detective|Attorney|Counsel|Leader|Assemblyman|
    Congressman|Congresswoman|Executive|Operating|Financial|Founder|Co-founder|Manager|
    Analyst|Economist|Chief Executive|Commander|Envoy|Vice|Deputy Premier|CFO|COO|CTO|
    Cllr|Councillor|Alderman|Alderwoman|Midfielder|Striker|Defender|Goalkeeper|Winger|
    Sheriff|Principal|Substitute|Headteacher|Headmaster|Headmistress|Treasurer|Auditor|
    Clerk|Prosecutor|Constable|Warden|Trustee|Pastor|Dean|Forward|Skipper|Referee|
    MP|MEP|MSP|MLA|MPP|TD"""
)
GIVEN_NAMES = _set(
    """John|James|Robert|Michael|William|David|Richard|Joseph|Thomas|Charles|Christopher|
    Daniel|Matthew|Anthony|Mark|Donald|Steven|Paul|Andrew|Joshua|Kenneth|Kevin|Brian|George|
    Edward|Ronald|Timothy|Jason|Jeffrey|Ryan|Jacob|Gary|Nicholas|Eric|Jonathan|Stephen|Larry|
    Justin|Scott|Brandon|Benjamin|Samuel|Frank|Gregory|Raymond|Alexander|Patrick|Jack|Dennis|
    Jerry|Tyler|Aaron|Jose|Adam|Henry|Nathan|Douglas|Zachary|Peter|Kyle|Walter|Ethan|Jeremy|
    Harold|Keith|Christian|Roger|Noah|Gerald|Carl|Terry|Sean|Austin|Arthur|Lawrence|Jesse|
    Dylan|Bryan|Joe|Jordan|Billy|Bruce|Albert|Willie|Gabriel|Logan|Alan|Juan|Wayne|Roy|Ralph|
    Randy|Eugene|Vincent|Russell|Elijah|Louis|Bobby|Philip|Johnny|Mary|Patricia|Jennifer|
    Linda|Elizabeth|Barbara|Susan|Jessica|Sarah|Karen|Nancy|Lisa|Betty|Margaret|Sandra|
    Ashley|Kimberly|Emily|Donna|Michelle|Dorothy|Carol|Amanda|Melissa|Deborah|Stephanie|
    Rebecca|Sharon|Laura|Cynthia|Kathleen|Amy|Shirley|Angela|Helen|Anna|Brenda|Pamela|
    Nicole|Emma|Samantha|Katherine|Christine|Debra|Rachel|Catherine|Carolyn|Janet|Ruth|
    Maria|Heather|Diane|Virginia|Julie|Joyce|Victoria|Olivia|Kelly|Christina|Lauren|Joan|
    Evelyn|Judith|Megan|Cheryl|Andrea|Hannah|Martha|Jacqueline|Frances|Gloria|Ann|Teresa|
    Kathryn|Sara|Janice|Jean|Alice|Madison|Doris|Abigail|Julia|Judy|Grace|Denise|Amber|
    Marilyn|Beverly|Danielle|Theresa|Sophia|Marie|Diana|Brittany|Natalie|Isabella|Charlotte|
    Rose|Alexis|Kayla|Vladimir|Sergei|Sergey|Dmitry|Alexei|Alexey|Ivan|Igor|Olga|Natalia|
    Svetlana|Tatiana|Yulia|Volodymyr|Oleksandr|Andriy|Mohammed|Muhammad|Mohammad|Ahmed|Ali|
    Hassan|Hussein|Omar|Abdullah|Ibrahim|Mahmoud|Khalid|Fatima|Aisha|Li|Wang|Zhang|Liu|Chen|
    Xi|Kim|Lee|Park|Jean|Pierre|Emmanuel|Francois|Marine|Angela|Olaf|Friedrich|Hans|Klaus|
    Giorgia|Matteo|Giuseppe|Pedro|Carlos|Luis|Jorge|Luiz|Javier|Miguel|Narendra|Rahul|Amit|
    Raj|Sanjay|Priya|Joel|Jerome|Ben|Janet|Valerie|Sheldon|Eliud|Sebastian|Larry|Ricky|Jay|
    Denise|Jussi|Lucian|Francis|Edvard|Jeff|Anastasia|Sloane|Boris|Keir|Rishi|Justin|Joe|
    Kamala|Hillary|Barack|Nancy|Benjamin|Recep|Volodymyr|Elon|Mark|Sundar|Tim|Satya"""
)
# Given names of women, for "she said" (the rest of GIVEN_NAMES are men's or either).
FEMALE_NAMES = _set(
    """Mary|Patricia|Jennifer|Linda|Elizabeth|Barbara|Susan|Jessica|Sarah|Karen|Nancy|Lisa|
    Betty|Margaret|Sandra|Ashley|Kimberly|Emily|Donna|Michelle|Dorothy|Carol|Amanda|Melissa|
    Deborah|Stephanie|Rebecca|Sharon|Laura|Cynthia|Kathleen|Amy|Shirley|Angela|Helen|Anna|
    Brenda|Pamela|Nicole|Emma|Samantha|Katherine|Christine|Debra|Rachel|Catherine|Carolyn|
    Janet|Ruth|Maria|Heather|Diane|Virginia|Julie|Joyce|Victoria|Olivia|Kelly|Christina|
    Lauren|Joan|Evelyn|Judith|Megan|Cheryl|Andrea|Hannah|Martha|Jacqueline|Frances|Gloria|
    Ann|Teresa|Kathryn|Sara|Janice|Jean|Alice|Madison|Doris|Abigail|Julia|Judy|Grace|Denise|
    Amber|Marilyn|Beverly|Danielle|Theresa|Sophia|Marie|Diana|Brittany|Natalie|Isabella|
    Charlotte|Rose|Alexis|Kayla|Olga|Natalia|Svetlana|Tatiana|Yulia|Fatima|Aisha|Marine|
    Giorgia|Priya|Valerie|Anastasia|Sloane|Kamala|Hillary|Elena|Lena|Ingrid|Sunita|Kamala|
    Margaret|Eleanor|Lucy|Sophie|Chloe|Ella|Mia|Ava|Zoe|Anita|Sonia|Ines|Carmen|Lucia"""
)
TIME_WORDS = _set(
    """Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|January|February|March|April|
    May|June|July|August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|
    Sep|Sept|Oct|Nov|Dec|Today|Yesterday|Tomorrow|Christmas|Easter|Ramadan|Eid|AM|PM|GMT|UTC"""
)
COMMON_WORDS = _set(
    """The|A|An|In|On|At|By|For|From|To|Of|And|But|Or|Nor|So|Yet|If|As|With|Without|After|
    Before|During|Since|Until|While|When|Where|Why|How|What|Who|Whom|Whose|Which|That|This|
    These|Those|It|Its|He|She|They|We|I|You|His|Her|Their|Our|My|Your|Him|Them|Us|Me|There|
    Here|Then|Now|Also|However|Meanwhile|Although|Though|Because|Despite|According|Among|
    Under|Over|About|Around|Against|Between|Into|Through|Across|Along|Amid|Following|Earlier|
    Later|Last|Next|First|Second|Third|New|More|Most|Many|Some|Several|All|Both|Each|Every|
    No|Not|Only|Just|Even|Still|Such|Other|Another|Any|One|Two|Three|Four|Five|Six|Seven|
    Eight|Nine|Ten|Mr|Mrs|Ms|Dr|Related|Read|Photo|Image|Video|Watch|Click|Share|Updated|
    Published|Posted|Copyright|Original|Source|Advertisement|Sign|Subscribe|Follow|Like|
    Please|Note|Editor|Editing|Reporting|Writing|Additional|Neither|Either|Sitting|Citing|
    Local|State|National|Federal|Government|Officials|Police|President|Minister|Chief|Former|
    Director|Analysts|Experts|Residents|Authorities|Sales|Shares|Prices|Earlier|Overall|
    Instead|Thus|Therefore|Indeed|Finally|Once|Whether|Unlike|Like|Nearly|Almost|Some|Up|
    Down|Out|Off|Do|Does|Did|Is|Are|Was|Were|Be|Been|Has|Have|Had|Will|Would|Could|Should|
    May|Might|Must|Can|Cannot|Yes|Well|Oh|OK|Mass|Gov|Sen|Rep|Gen|Col|Millions|Thousands|
    Hundreds|Dozens|Billions|Scores|Rs"""
)
