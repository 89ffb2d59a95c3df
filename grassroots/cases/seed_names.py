"""English and Mongolian (traditional script) names of the default service types (``seed.TREE``), by code.

The seed writes the Chinese names; these fill ``Category.name_en`` and ``Category.name_mn`` where an administrator
has left them empty (migration 0017 and ``seed_categories``). Every Mongolian name awaits review by a native
speaker (docs/glossary-mn.md); the comment above each says how it reads.
"""

from __future__ import annotations

# code: (English, Mongolian)
NAMES: dict[str, tuple[str, str]] = {
    # qota-yin düri törü ba orčin
    "01": ("City appearance and environment", "ᠬᠣᠲᠠ ᠶᠢᠨ ᠳᠦᠷᠢ ᠲᠥᠷᠦ ᠪᠠ ᠣᠷᠴᠢᠨ"),
    # qoγ ǰaγasu-yi dur|a-bar qayaqu
    "0101": ("Litter and exposed rubbish", "ᠬᠣᠭ ᠵᠠᠭᠠᠰᠤ ᠶᠢ ᠳᠤᠷ᠎ᠠ ᠪᠠᠷ ᠬᠠᠶᠠᠬᠤ"),
    # čuγluγsan qoγ ǰaγasu ba siroi
    "0102": ("Piled-up rubbish and spoil", "ᠴᠤᠭᠯᠤᠭᠰᠠᠨ ᠬᠣᠭ ᠵᠠᠭᠠᠰᠤ ᠪᠠ ᠰᠢᠷᠣᠢ"),
    # bujar jam
    "0103": ("Dirty roads", "ᠪᠤᠵᠠᠷ ᠵᠠᠮ"),
    # ǰirum busu naγaγsan ǰar
    "0104": ("Illegal posters and flyers", "ᠵᠢᠷᠤᠮ ᠪᠤᠰᠤ ᠨᠠᠭᠠᠭᠰᠠᠨ ᠵᠠᠷ"),
    # qoγ ǰaγasu buyu tariyan-u iš tülekü
    "0105": ("Burning rubbish or straw", "ᠬᠣᠭ ᠵᠠᠭᠠᠰᠤ ᠪᠤᠶᠤ ᠲᠠᠷᠢᠶᠠᠨ ᠤ ᠢᠱ ᠲᠦᠯᠡᠬᠦ"),
    # mal amitan-u ükeger
    "0106": ("Animal carcasses", "ᠮᠠᠯ ᠠᠮᠢᠲᠠᠨ ᠤ ᠦᠬᠡᠭᠡᠷ"),
    # bujar usu γadaγsi γaruγsan
    "0107": ("Sewage overflow", "ᠪᠤᠵᠠᠷ ᠤᠰᠤ ᠭᠠᠳᠠᠭᠰᠢ ᠭᠠᠷᠤᠭᠰᠠᠨ"),
    # olan neyite-yin tokiromǰi
    "02": ("Public facilities (components)", "ᠣᠯᠠᠨ ᠨᠡᠶᠢᠲᠡ ᠶᠢᠨ ᠲᠣᠬᠢᠷᠣᠮᠵᠢ"),
    # ebderegsen jarlal-un samburi
    "0201": ("Damaged notice or publicity boards", "ᠡᠪᠳᠡᠷᠡᠭᠰᠡᠨ ᠵᠠᠷᠯᠠᠯ ᠤᠨ ᠰᠠᠮᠪᠤᠷᠢ"),
    # ebderegsen biy|e dasqal-un tokiromǰi
    "0202": ("Damaged fitness equipment", "ᠡᠪᠳᠡᠷᠡᠭᠰᠡᠨ ᠪᠢᠶ᠎ᠡ ᠳᠠᠰᠬᠠᠯ ᠤᠨ ᠲᠣᠬᠢᠷᠣᠮᠵᠢ"),
    # ebderegsen sandali ba amaralta-yin tokiromǰi
    "0203": ("Damaged benches and leisure facilities", "ᠡᠪᠳᠡᠷᠡᠭᠰᠡᠨ ᠰᠠᠨᠳᠠᠯᠢ ᠪᠠ ᠠᠮᠠᠷᠠᠯᠲᠠ ᠶᠢᠨ ᠲᠣᠬᠢᠷᠣᠮᠵᠢ"),
    # ebderegsen qoγ-un sabs|a
    "0204": ("Damaged rubbish bins", "ᠡᠪᠳᠡᠷᠡᠭᠰᠡᠨ ᠬᠣᠭ ᠤᠨ ᠰᠠᠪᠰ᠎ᠠ"),
    # olan neyite-yin ǰorlong
    "0205": ("Public toilets", "ᠣᠯᠠᠨ ᠨᠡᠶᠢᠲᠡ ᠶᠢᠨ ᠵᠣᠷᠯᠣᠩ"),
    # jam-un gerel asaqu ügei buyu ebderegsen
    "0206": ("Street lights out or damaged", "ᠵᠠᠮ ᠤᠨ ᠭᠡᠷᠡᠯ ᠠᠰᠠᠬᠤ ᠦᠭᠡᠢ ᠪᠤᠶᠤ ᠡᠪᠳᠡᠷᠡᠭᠰᠡᠨ"),
    # qudduγ-un tagh|a ügei buyu ebderegsen
    "0207": ("Missing or damaged manhole covers", "ᠬᠤᠳᠳᠤᠭ ᠤᠨ ᠲᠠᠭᠾ᠎ᠠ ᠦᠭᠡᠢ ᠪᠤᠶᠤ ᠡᠪᠳᠡᠷᠡᠭᠰᠡᠨ"),
    # jam ba qarilčaγ|a
    "03": ("Roads and traffic (components)", "ᠵᠠᠮ ᠪᠠ ᠬᠠᠷᠢᠯᠴᠠᠭ᠎ᠠ"),
    # ebderegsen jam-un gadaγur
    "0301": ("Broken or potholed road surface", "ᠡᠪᠳᠡᠷᠡᠭᠰᠡᠨ ᠵᠠᠮ ᠤᠨ ᠭᠠᠳᠠᠭᠤᠷ"),
    # ebderegsen jam-un temdeg buyu gerel
    "0302": ("Damaged traffic signs or signals", "ᠡᠪᠳᠡᠷᠡᠭᠰᠡᠨ ᠵᠠᠮ ᠤᠨ ᠲᠡᠮᠳᠡᠭ ᠪᠤᠶᠤ ᠭᠡᠷᠡᠯ"),
    # ebderegsen qašiy|a qaγalta
    "0303": ("Damaged guard rails or barriers", "ᠡᠪᠳᠡᠷᠡᠭᠰᠡᠨ ᠬᠠᠱᠢᠶ᠎ᠠ ᠬᠠᠭᠠᠯᠲᠠ"),
    # jam deger|e ǰirum busu jogsoγaγsan terge
    "0304": ("Parking on the road, disorderly parking", "ᠵᠠᠮ ᠳᠡᠭᠡᠷ᠎ᠡ ᠵᠢᠷᠤᠮ ᠪᠤᠰᠤ ᠵᠣᠭᠰᠣᠭᠠᠭᠰᠠᠨ ᠲᠡᠷᠭᠡ"),
    # qota-yin niyitiin üilečilgen
    "04": ("Municipal utilities", "ᠬᠣᠲᠠ ᠶᠢᠨ ᠨᠢᠶᠢᠲᠢᠢᠨ ᠦᠢᠯᠡᠴᠢᠯᠭᠡᠨ"),
    # usu-yin qangγamǰi-yin asaγudal, usu tasuraγsan
    "0401": ("Water supply problems, water cut", "ᠤᠰᠤ ᠶᠢᠨ ᠬᠠᠩᠭᠠᠮᠵᠢ ᠶᠢᠨ ᠠᠰᠠᠭᠤᠳᠠᠯ᠂ ᠤᠰᠤ ᠲᠠᠰᠤᠷᠠᠭᠰᠠᠨ"),
    # bujar usu-yin qudduγ bögleregsen
    "0402": ("Poor drainage, blocked sewer", "ᠪᠤᠵᠠᠷ ᠤᠰᠤ ᠶᠢᠨ ᠬᠤᠳᠳᠤᠭ ᠪᠥᠭᠯᠡᠷᠡᠭᠰᠡᠨ"),
    # dulaγan qangγamǰi-yin asaγudal
    "0403": ("Heating problems", "ᠳᠤᠯᠠᠭᠠᠨ ᠬᠠᠩᠭᠠᠮᠵᠢ ᠶᠢᠨ ᠠᠰᠠᠭᠤᠳᠠᠯ"),
    # qiy-un asaγudal
    "0404": ("Gas problems", "ᠬᠢᠶ ᠤᠨ ᠠᠰᠠᠭᠤᠳᠠᠯ"),
    # čaqilγan qangγamǰi ba utasu-yin asaγudal
    "0405": ("Power supply and cable problems", "ᠴᠠᠬᠢᠯᠭᠠᠨ ᠬᠠᠩᠭᠠᠮᠵᠢ ᠪᠠ ᠤᠲᠠᠰᠤ ᠶᠢᠨ ᠠᠰᠠᠭᠤᠳᠠᠯ"),
    # ceserlig ba noγoγan tari
    "05": ("Parks and greenery", "ᠴᠡᠰᠡᠷᠯᠢᠭ ᠪᠠ ᠨᠣᠭᠣᠭᠠᠨ ᠲᠠᠷᠢ"),
    # ebderegsen noγoγan talbai
    "0501": ("Damaged green space", "ᠡᠪᠳᠡᠷᠡᠭᠰᠡᠨ ᠨᠣᠭᠣᠭᠠᠨ ᠲᠠᠯᠪᠠᠢ"),
    # unaγsan buyu qataγsan modu
    "0502": ("Fallen or dead trees", "ᠤᠨᠠᠭᠰᠠᠨ ᠪᠤᠶᠤ ᠬᠠᠲᠠᠭᠰᠠᠨ ᠮᠣᠳᠤ"),
    # noγoγan talbai-du noγoγ|a tariγsan
    "0503": ("Vegetables grown on green space", "ᠨᠣᠭᠣᠭᠠᠨ ᠲᠠᠯᠪᠠᠢ ᠳᠤ ᠨᠣᠭᠣᠭ᠎ᠠ ᠲᠠᠷᠢᠭᠰᠠᠨ"),
    # bayising ba γajar
    "06": ("Buildings and land", "ᠪᠠᠶᠢᠰᠢᠩ ᠪᠠ ᠭᠠᠵᠠᠷ"),
    # qauli busu barilγ|a
    "0601": ("Illegal building", "ᠬᠠᠤᠯᠢ ᠪᠤᠰᠤ ᠪᠠᠷᠢᠯᠭ᠎ᠠ"),
    # ayul-tai bayising
    "0602": ("Dangerous houses", "ᠠᠶᠤᠯ ᠲᠠᠢ ᠪᠠᠶᠢᠰᠢᠩ"),
    # olan neyite-yin γajar-i qašiγsan
    "0603": ("Enclosure of public land", "ᠣᠯᠠᠨ ᠨᠡᠶᠢᠲᠡ ᠶᠢᠨ ᠭᠠᠵᠠᠷ ᠢ ᠬᠠᠱᠢᠭᠰᠠᠨ"),
    # jegeli-yin ǰirum
    "07": ("Street order", "ᠵᠡᠭᠡᠯᠢ ᠶᠢᠨ ᠵᠢᠷᠤᠮ"),
    # jam deger|e qudaldu kikü
    "0701": ("Trading on the road", "ᠵᠠᠮ ᠳᠡᠭᠡᠷ᠎ᠡ ᠬᠤᠳᠠᠯᠳᠤ ᠬᠢᠬᠦ"),
    # yabuγ|a qudaldučin
    "0702": ("Street vendors", "ᠶᠠᠪᠤᠭ᠎ᠠ ᠬᠤᠳᠠᠯᠳᠤᠴᠢᠨ"),
    # šuγuγ|a daγu
    "0703": ("Noise nuisance", "ᠱᠤᠭᠤᠭ᠎ᠠ ᠳᠠᠭᠤ"),
    # ǰirum busu jogsoγaγsan terge
    "0704": ("Disorderly parked vehicles", "ᠵᠢᠷᠤᠮ ᠪᠤᠰᠤ ᠵᠣᠭᠰᠣᠭᠠᠭᠰᠠᠨ ᠲᠡᠷᠭᠡ"),
    # ayulγui-yin nuγuγ ayul
    "08": ("Safety hazards", "ᠠᠶᠤᠯᠭᠤᠢ ᠶᠢᠨ ᠨᠤᠭᠤᠭ ᠠᠶᠤᠯ"),
    # γal-un ayul, bögleregsen γal-un jam
    "0801": ("Fire hazards, blocked fire lanes", "ᠭᠠᠯ ᠤᠨ ᠠᠶᠤᠯ᠂ ᠪᠥᠭᠯᠡᠷᠡᠭᠰᠡᠨ ᠭᠠᠯ ᠤᠨ ᠵᠠᠮ"),
    # čaqilγan dugui-yi ǰirum busu čenǰilekü
    "0802": ("Unsafe charging of electric bikes", "ᠴᠠᠬᠢᠯᠭᠠᠨ ᠳᠤᠭᠤᠢ ᠶᠢ ᠵᠢᠷᠤᠮ ᠪᠤᠰᠤ ᠴᠡᠨᠵᠢᠯᠡᠬᠦ"),
    # qiy-i ayul-tai kereglekü
    "0803": ("Unsafe use of gas", "ᠬᠢᠶ ᠢ ᠠᠶᠤᠯ ᠲᠠᠢ ᠬᠡᠷᠡᠭᠯᠡᠬᠦ"),
    # ayul-tai qan|a ba barilγ|a
    "0804": ("Dangerous walls and structures", "ᠠᠶᠤᠯ ᠲᠠᠢ ᠬᠠᠨ᠎ᠠ ᠪᠠ ᠪᠠᠷᠢᠯᠭ᠎ᠠ"),
    # üyer ba γajar-un ayul
    "0805": ("Flood and geological hazards", "ᠦᠶᠡᠷ ᠪᠠ ᠭᠠᠵᠠᠷ ᠤᠨ ᠠᠶᠤᠯ"),
    # marγuγan
    "09": ("Disputes", "ᠮᠠᠷᠭᠤᠭᠠᠨ"),
    # ayil saγaqu-yin marγuγan
    "0901": ("Disputes between neighbours", "ᠠᠶᠢᠯ ᠰᠠᠭᠠᠬᠤ ᠶᠢᠨ ᠮᠠᠷᠭᠤᠭᠠᠨ"),
    # gerlelte ba ger bül-ün marγuγan
    "0902": ("Marriage and family disputes", "ᠭᠡᠷᠯᠡᠯᠲᠡ ᠪᠠ ᠭᠡᠷ ᠪᠦᠯ ᠦᠨ ᠮᠠᠷᠭᠤᠭᠠᠨ"),
    # ömčin-ü jakirγan-u marγuγan
    "0903": ("Property management disputes", "ᠥᠮᠴᠢᠨ ᠦ ᠵᠠᠬᠢᠷᠭᠠᠨ ᠤ ᠮᠠᠷᠭᠤᠭᠠᠨ"),
    # ködelmüri-yin marγuγan, čalin tölöγdegsen ügei
    "0904": ("Labour disputes, unpaid wages", "ᠬᠥᠳᠡᠯᠮᠦᠷᠢ ᠶᠢᠨ ᠮᠠᠷᠭᠤᠭᠠᠨ᠂ ᠴᠠᠯᠢᠨ ᠲᠥᠯᠥᠭᠳᠡᠭᠰᠡᠨ ᠦᠭᠡᠢ"),
    # γajar ba belčiger-ün marγuγan
    "0905": ("Land and grassland disputes", "ᠭᠠᠵᠠᠷ ᠪᠠ ᠪᠡᠯᠴᠢᠭᠡᠷ ᠦᠨ ᠮᠠᠷᠭᠤᠭᠠᠨ"),
    # amiduralun üilečilgen
    "10": ("Livelihood services", "ᠠᠮᠢᠳᠤᠷᠠᠯᠤᠨ ᠦᠢᠯᠡᠴᠢᠯᠭᠡᠨ"),
    # kečegüü-yin tusalamǰi, tür-ün tusalamǰi
    "1001": ("Help in hardship, temporary relief", "ᠬᠡᠴᠡᠭᠦᠦ ᠶᠢᠨ ᠲᠤᠰᠠᠯᠠᠮᠵᠢ᠂ ᠲᠦᠷ ᠦᠨ ᠲᠤᠰᠠᠯᠠᠮᠵᠢ"),
    # γaγčaγar amiduraγ|a ötegüs-i asaraqu
    "1002": ("Care for elderly people living alone", "ᠭᠠᠭᠴᠠᠭᠠᠷ ᠠᠮᠢᠳᠤᠷᠠᠭ᠎ᠠ ᠥᠲᠡᠭᠦᠰ ᠢ ᠠᠰᠠᠷᠠᠬᠤ"),
    # qögǰil-tei kümün-ü üilečilgen
    "1003": ("Services for people with disabilities", "ᠬᠥᠭᠵᠢᠯ ᠲᠡᠢ ᠬᠦᠮᠦᠨ ᠦ ᠦᠢᠯᠡᠴᠢᠯᠭᠡᠨ"),
    # aǰil ǰergelel-ün tusalamǰi
    "1004": ("Help finding work", "ᠠᠵᠢᠯ ᠵᠡᠷᠭᠡᠯᠡᠯ ᠦᠨ ᠲᠤᠰᠠᠯᠠᠮᠵᠢ"),
    # emnelge ariγun čeber
    "1005": ("Health care", "ᠡᠮᠨᠡᠯᠭᠡ ᠠᠷᠢᠭᠤᠨ ᠴᠡᠪᠡᠷ"),
    # bodolγ|a-yin asaγulta
    "11": ("Policy questions", "ᠪᠣᠳᠣᠯᠭ᠎ᠠ ᠶᠢᠨ ᠠᠰᠠᠭᠤᠯᠲᠠ"),
    # neyigem ba emnelge-yin daγatqal
    "1101": ("Social and medical insurance", "ᠨᠡᠶᠢᠭᠡᠮ ᠪᠠ ᠡᠮᠨᠡᠯᠭᠡ ᠶᠢᠨ ᠳᠠᠭᠠᠲᠬᠠᠯ"),
    # amiduralun baγ|a-yin batalamǰi ba tusalamǰi-yin bodolγ|a
    "1102": ("Minimum allowance and relief policy", "ᠠᠮᠢᠳᠤᠷᠠᠯᠤᠨ ᠪᠠᠭ᠎ᠠ ᠶᠢᠨ ᠪᠠᠲᠠᠯᠠᠮᠵᠢ ᠪᠠ ᠲᠤᠰᠠᠯᠠᠮᠵᠢ ᠶᠢᠨ ᠪᠣᠳᠣᠯᠭ᠎ᠠ"),
    # ger bül-ün bürtgel
    "1103": ("Household registration", "ᠭᠡᠷ ᠪᠦᠯ ᠦᠨ ᠪᠦᠷᠲᠭᠡᠯ"),
    # tariyačin malčin-u tusalamǰi-yin bodolγ|a
    "1104": ("Support for farmers and herders", "ᠲᠠᠷᠢᠶᠠᠴᠢᠨ ᠮᠠᠯᠴᠢᠨ ᠤ ᠲᠤᠰᠠᠯᠠᠮᠵᠢ ᠶᠢᠨ ᠪᠣᠳᠣᠯᠭ᠎ᠠ"),
    # orolčaγ|a üilečilgen
    "12": ("Errands done for you", "ᠣᠷᠣᠯᠴᠠᠭ᠎ᠠ ᠦᠢᠯᠡᠴᠢᠯᠭᠡᠨ"),
    # ünemlekü bičig-i orolčaǰu abqu
    "1201": ("Documents applied for on your behalf", "ᠦᠨᠡᠮᠯᠡᠬᠦ ᠪᠢᠴᠢᠭ ᠢ ᠣᠷᠣᠯᠴᠠᠵᠤ ᠠᠪᠬᠤ"),
    # neyigem ba emnelge-yin daγatqal tölökü
    "1202": ("Paying social and medical insurance", "ᠨᠡᠶᠢᠭᠡᠮ ᠪᠠ ᠡᠮᠨᠡᠯᠭᠡ ᠶᠢᠨ ᠳᠠᠭᠠᠲᠬᠠᠯ ᠲᠥᠯᠥᠬᠦ"),
    # tedkülge γuyuqu
    "1203": ("Applying for subsidies", "ᠲᠡᠳᠬᠦᠯᠭᠡ ᠭᠤᠶᠤᠬᠤ"),
    # gerečilel bičig
    "1204": ("Certificates", "ᠭᠡᠷᠡᠴᠢᠯᠡᠯ ᠪᠢᠴᠢᠭ"),
    # yaraltai kereg
    "13": ("Emergencies", "ᠶᠠᠷᠠᠯᠲᠠᠢ ᠬᠡᠷᠡᠭ"),
    # γal tüimer
    "1301": ("Fire", "ᠭᠠᠯ ᠲᠦᠢᠮᠡᠷ"),
    # baγalig-un gamaγ
    "1302": ("Natural disasters", "ᠪᠠᠭᠠᠯᠢᠭ ᠤᠨ ᠭᠠᠮᠠᠭ"),
    # olan neyite-yin ariγun čeber-ün yaraltai kereg
    "1303": ("Public health emergencies", "ᠣᠯᠠᠨ ᠨᠡᠶᠢᠲᠡ ᠶᠢᠨ ᠠᠷᠢᠭᠤᠨ ᠴᠡᠪᠡᠷ ᠦᠨ ᠶᠠᠷᠠᠯᠲᠠᠢ ᠬᠡᠷᠡᠭ"),
    # olan kümün-ü kereg
    "1304": ("Mass incidents", "ᠣᠯᠠᠨ ᠬᠦᠮᠦᠨ ᠦ ᠬᠡᠷᠡᠭ"),
    # üyiledbüri-yin osol
    "1305": ("Workplace accidents", "ᠦᠶᠢᠯᠡᠳᠪᠦᠷᠢ ᠶᠢᠨ ᠣᠰᠣᠯ"),
    # busu
    "99": ("Other", "ᠪᠤᠰᠤ"),
}
