//! The vocabulary the generator draws from: brands, product families and
//! texts in the five languages of a typical customs card (en, fr, ar, ru,
//! de, in that order in every array).
//!
//! Every string here is written into the XML verbatim, so each one is
//! already escaped (`&amp;`) and contains no `<`.

/// Language codes, in the order of every `[&str; 5]` below.
pub(crate) const LANGUAGES: [&str; 5] = ["en", "fr", "ar", "ru", "de"];

/// A brand owner and information provider.
pub(crate) struct Brand {
    /// `brandName`.
    pub(crate) name: &'static str,
    /// `subBrand` stem (the variant is appended).
    pub(crate) sub_brand: &'static str,
    /// `partyName` of the brand owner and information provider.
    pub(crate) company: &'static str,
    /// `partyName` of the manufacturer.
    pub(crate) factory: &'static str,
    /// Consumer contact address.
    pub(crate) address: &'static str,
    /// Telephone number.
    pub(crate) phone: &'static str,
    /// Web and e-mail domain.
    pub(crate) domain: &'static str,
    /// GS1 company prefix, 7 digits.
    pub(crate) prefix: &'static str,
    /// ISO 3166-1 numeric country of origin.
    pub(crate) origin: &'static str,
    /// Index into [`FAMILIES`].
    pub(crate) family: usize,
}

/// A kind of product with its classification, texts and physical shape.
pub(crate) struct Family {
    /// GPC brick code.
    pub(crate) gpc_code: &'static str,
    /// GPC brick name.
    pub(crate) gpc_name: &'static str,
    /// `functionalName` per language.
    pub(crate) functional: [&'static str; 5],
    /// The body of `tradeItemDescription` per language.
    pub(crate) long: [&'static str; 5],
    /// Net content unit (UN/ECE Rec 20).
    pub(crate) net_unit: &'static str,
    /// Net content values to choose from.
    pub(crate) net_values: &'static [u32],
    /// Each's depth, height and width in millimetres.
    pub(crate) dims: [u32; 3],
    /// Each's gross weight in grams.
    pub(crate) weight: u32,
}

pub(crate) const BRANDS: &[Brand] = &[
    Brand {
        name: "Maison Lumière",
        sub_brand: "Lumière d'Ambre",
        company: "Maison Lumière Parfums SAS",
        factory: "Lumière Manufacture de Grasse",
        address: "12 rue des Parfumeurs, 06130 Grasse, France",
        phone: "+33 4 93 00 12 34",
        domain: "maison-lumiere.example",
        prefix: "3012345",
        origin: "250",
        family: 0,
    },
    Brand {
        name: "SonicArc",
        sub_brand: "ArcPro",
        company: "SonicArc Audio Inc.",
        factory: "Shenzhen Arc Electronics Co., Ltd.",
        address: "400 Market Street, San Francisco, CA 94105, USA",
        phone: "+1 415 555 0134",
        domain: "sonicarc.example",
        prefix: "0812345",
        origin: "156",
        family: 1,
    },
    Brand {
        name: "Nordhof",
        sub_brand: "Hafenröstung",
        company: "Nordhof Kaffeerösterei GmbH",
        factory: "Nordhof Rösterei Hamburg-Altona",
        address: "Hafenstraße 21, 20457 Hamburg, Deutschland",
        phone: "+49 40 555 0101",
        domain: "nordhof.example",
        prefix: "4012345",
        origin: "276",
        family: 2,
    },
    Brand {
        name: "Dupont &amp; Fils",
        sub_brand: "Grand Cru",
        company: "Dupont &amp; Fils Chocolatiers SA",
        factory: "Chocolaterie Dupont, Wavre",
        address: "Avenue Louise 54, 1050 Bruxelles, Belgique",
        phone: "+32 2 555 01 23",
        domain: "dupont-fils.example",
        prefix: "5411111",
        origin: "056",
        family: 3,
    },
    Brand {
        name: "Волжский чай",
        sub_brand: "Купеческий",
        company: "ООО «Волжский чай»",
        factory: "Чаеразвесочная фабрика «Волга»",
        address: "ул. Тверская, 7, Москва, 125009, Россия",
        phone: "+7 495 555 01 01",
        domain: "volga-tea.example",
        prefix: "4601234",
        origin: "643",
        family: 4,
    },
    Brand {
        name: "النور",
        sub_brand: "مجدول",
        company: "شركة النور للتمور",
        factory: "مصنع النور لتعبئة التمور",
        address: "طريق الملك فهد، الرياض 12211، المملكة العربية السعودية",
        phone: "+966 11 555 0123",
        domain: "alnoor-dates.example",
        prefix: "6281234",
        origin: "682",
        family: 5,
    },
    Brand {
        name: "Oasis Springs",
        sub_brand: "Hatta",
        company: "Oasis Springs Water LLC",
        factory: "Oasis Springs Bottling Plant, Hatta",
        address: "Sheikh Zayed Road, P.O. Box 12345, Dubai, United Arab Emirates",
        phone: "+971 4 555 0199",
        domain: "oasis-springs.example",
        prefix: "6291234",
        origin: "784",
        family: 6,
    },
    Brand {
        name: "Sierra Verde",
        sub_brand: "Cosecha Temprana",
        company: "Sierra Verde Aceites S.L.",
        factory: "Almazara Sierra Verde, Jaén",
        address: "Calle del Olivo 3, 23001 Jaén, España",
        phone: "+34 953 555 012",
        domain: "sierra-verde.example",
        prefix: "8412345",
        origin: "724",
        family: 7,
    },
    Brand {
        name: "Fleur de Provence",
        sub_brand: "Lavande",
        company: "Fleur de Provence SARL",
        factory: "Atelier de Parfumerie de Manosque",
        address: "3 place du Marché, 04100 Manosque, France",
        phone: "+33 4 92 55 01 02",
        domain: "fleur-provence.example",
        prefix: "3098765",
        origin: "250",
        family: 0,
    },
    Brand {
        name: "Hikari",
        sub_brand: "Silence",
        company: "Hikari Electronics Co., Ltd.",
        factory: "Hikari Electronics Osaka Works",
        address: "2-4-1 Umeda, Kita-ku, Osaka 530-0001, Japan",
        phone: "+81 6 5555 0123",
        domain: "hikari.example",
        prefix: "4901234",
        origin: "392",
        family: 1,
    },
    Brand {
        name: "Casa Bella",
        sub_brand: "Espresso Oro",
        company: "Casa Bella Caffè S.p.A.",
        factory: "Torrefazione Casa Bella, Trieste",
        address: "Via del Porto 8, 34121 Trieste, Italia",
        phone: "+39 040 555 0101",
        domain: "casabella.example",
        prefix: "8001234",
        origin: "380",
        family: 2,
    },
    Brand {
        name: "Alpenkraft",
        sub_brand: "Edelbitter",
        company: "Alpenkraft Schokoladen AG",
        factory: "Alpenkraft Werk Kilchberg",
        address: "Seestrasse 10, 8802 Kilchberg, Schweiz",
        phone: "+41 44 555 01 01",
        domain: "alpenkraft.example",
        prefix: "7612345",
        origin: "756",
        family: 3,
    },
    Brand {
        name: "Thames &amp; Co",
        sub_brand: "Breakfast",
        company: "Thames &amp; Co Tea Merchants Ltd",
        factory: "Thames &amp; Co Blending House, London",
        address: "14 Leadenhall Street, London EC3V 1LR, United Kingdom",
        phone: "+44 20 5555 0123",
        domain: "thames-tea.example",
        prefix: "5012345",
        origin: "826",
        family: 4,
    },
    Brand {
        name: "Atlas Dattes",
        sub_brand: "Erfoud",
        company: "Atlas Dattes SARL",
        factory: "Unité de conditionnement d'Erfoud",
        address: "Boulevard Mohammed V 120, 20250 Casablanca, Maroc",
        phone: "+212 522 55 01 23",
        domain: "atlas-dattes.example",
        prefix: "6111234",
        origin: "504",
        family: 5,
    },
    Brand {
        name: "Fjellkilde",
        sub_brand: "Isbre",
        company: "Fjellkilde Vann AS",
        factory: "Fjellkilde tappeanlegg, Voss",
        address: "Strandkaien 4, 5013 Bergen, Norge",
        phone: "+47 55 55 01 23",
        domain: "fjellkilde.example",
        prefix: "7012345",
        origin: "578",
        family: 6,
    },
    Brand {
        name: "Elaia",
        sub_brand: "Koroneiki",
        company: "Elaia Olive Mills S.A.",
        factory: "Elaia Mill, Kalamata",
        address: "Leoforos Athinon 25, 24100 Kalamata, Greece",
        phone: "+30 27210 55012",
        domain: "elaia.example",
        prefix: "5201234",
        origin: "300",
        family: 7,
    },
];

pub(crate) const FAMILIES: &[Family] = &[
    Family {
        gpc_code: "10000251",
        gpc_name: "Perfumes/Colognes/Fragrances",
        functional: ["Eau de parfum", "Eau de parfum", "ماء عطر", "Парфюмерная вода", "Eau de Parfum"],
        long: [
            "eau de parfum with amber, vanilla and sandalwood notes, natural spray in a glass bottle with a gold-tone cap",
            "eau de parfum aux notes d'ambre, de vanille et de santal, vaporisateur naturel en flacon de verre avec bouchon doré",
            "ماء عطر بنفحات العنبر والفانيليا وخشب الصندل، بخاخ طبيعي في زجاجة زجاجية بغطاء ذهبي",
            "парфюмерная вода с нотами амбры, ванили и сандала, натуральный спрей в стеклянном флаконе с золотистой крышкой",
            "Eau de Parfum mit Noten von Amber, Vanille und Sandelholz, Naturspray im Glasflakon mit goldfarbener Kappe",
        ],
        net_unit: "MLT",
        net_values: &[30, 50, 100],
        dims: [42, 145, 68],
        weight: 412,
    },
    Family {
        gpc_code: "10001296",
        gpc_name: "Headphones/Earphones",
        functional: ["Headphones", "Casque audio", "سماعات رأس", "Наушники", "Kopfhörer"],
        long: [
            "over-ear wireless headphones with active noise cancelling, Bluetooth 5.3, 40 h battery, USB-C charging cable and hard case",
            "casque sans fil circum-auriculaire à réduction active de bruit, Bluetooth 5.3, autonomie de 40 h, câble de charge USB-C et étui rigide",
            "سماعات رأس لاسلكية بخاصية إلغاء الضوضاء النشط، بلوتوث 5.3، بطارية تدوم 40 ساعة، كابل شحن USB-C وحقيبة صلبة",
            "полноразмерные беспроводные наушники с активным шумоподавлением, Bluetooth 5.3, 40 ч работы, кабель USB-C и жёсткий чехол",
            "kabellose Over-Ear-Kopfhörer mit aktiver Geräuschunterdrückung, Bluetooth 5.3, 40 h Akkulaufzeit, USB-C-Ladekabel und Hartschalenetui",
        ],
        net_unit: "H87",
        net_values: &[1],
        dims: [95, 235, 195],
        weight: 680,
    },
    Family {
        gpc_code: "10000115",
        gpc_name: "Coffee - Ground Beans",
        functional: ["Ground coffee", "Café moulu", "قهوة مطحونة", "Молотый кофе", "Gemahlener Kaffee"],
        long: [
            "100 % arabica ground coffee, medium roast, notes of cocoa and hazelnut, in a resealable aroma-protective bag",
            "café moulu 100 % arabica, torréfaction moyenne, notes de cacao et de noisette, en sachet refermable protégeant l'arôme",
            "قهوة مطحونة 100 % أرابيكا، تحميص متوسط، بنكهة الكاكاو والبندق، في كيس قابل لإعادة الإغلاق يحفظ الرائحة",
            "молотый кофе 100 % арабика средней обжарки с нотами какао и фундука в повторно закрываемой упаковке",
            "gemahlener Kaffee aus 100 % Arabica, mittlere Röstung, Noten von Kakao und Haselnuss, im wiederverschließbaren Aromabeutel",
        ],
        net_unit: "GRM",
        net_values: &[250, 500, 1000],
        dims: [70, 190, 110],
        weight: 520,
    },
    Family {
        gpc_code: "10000045",
        gpc_name: "Chocolate/Chocolate Substitutes",
        functional: [
            "Dark chocolate",
            "Chocolat noir",
            "شوكولاتة داكنة",
            "Тёмный шоколад",
            "Zartbitterschokolade",
        ],
        long: [
            "dark chocolate bar with 70 % cocoa from fair-trade cooperatives, without palm oil, may contain traces of nuts and milk",
            "tablette de chocolat noir 70 % de cacao issu de coopératives équitables, sans huile de palme, peut contenir des traces de fruits à coque et de lait",
            "لوح شوكولاتة داكنة بنسبة 70 % كاكاو من تعاونيات التجارة العادلة، بدون زيت النخيل، قد يحتوي على آثار المكسرات والحليب",
            "плитка тёмного шоколада с 70 % какао от кооперативов справедливой торговли, без пальмового масла, может содержать следы орехов и молока",
            "Zartbitterschokoladentafel mit 70 % Kakao aus Fair-Trade-Kooperativen, ohne Palmöl, kann Spuren von Nüssen und Milch enthalten",
        ],
        net_unit: "GRM",
        net_values: &[100, 200],
        dims: [12, 160, 80],
        weight: 110,
    },
    Family {
        gpc_code: "10000118",
        gpc_name: "Tea - Bags/Loose",
        functional: ["Black tea", "Thé noir", "شاي أسود", "Чёрный чай", "Schwarzer Tee"],
        long: [
            "loose-leaf black tea blend from Assam and Ceylon, strong and malty, packed in a tin caddy with an aroma lid",
            "mélange de thé noir en vrac d'Assam et de Ceylan, corsé et malté, conditionné en boîte métallique avec couvercle arôme",
            "خلطة شاي أسود سائب من آسام وسيلان، قوي ومليء بالنكهة، معبأ في علبة معدنية بغطاء يحفظ الرائحة",
            "листовой чёрный чай, купаж ассамского и цейлонского, крепкий и солодовый, в жестяной банке с ароматической крышкой",
            "loser Schwarztee aus Assam und Ceylon, kräftig und malzig, in der Blechdose mit Aromadeckel",
        ],
        net_unit: "GRM",
        net_values: &[100, 250],
        dims: [80, 120, 80],
        weight: 210,
    },
    Family {
        gpc_code: "10000199",
        gpc_name: "Dried Fruit",
        functional: ["Dates", "Dattes", "تمور", "Финики", "Datteln"],
        long: [
            "premium Medjool dates, hand picked and naturally sweet, packed in a moisture-proof tray with a clear lid",
            "dattes Medjool premium, cueillies à la main et naturellement sucrées, conditionnées en barquette étanche à couvercle transparent",
            "تمور مجدول فاخرة، مقطوفة يدويًا وحلوة بطبيعتها، معبأة في علبة مقاومة للرطوبة بغطاء شفاف",
            "отборные финики меджул ручного сбора, естественно сладкие, во влагонепроницаемом лотке с прозрачной крышкой",
            "Premium-Medjool-Datteln, handverlesen und natürlich süß, in feuchtigkeitsdichter Schale mit Klarsichtdeckel",
        ],
        net_unit: "GRM",
        net_values: &[500, 1000],
        dims: [55, 60, 180],
        weight: 560,
    },
    Family {
        gpc_code: "10000232",
        gpc_name: "Water - Still",
        functional: ["Mineral water", "Eau minérale", "مياه معدنية", "Минеральная вода", "Mineralwasser"],
        long: [
            "natural still mineral water, low in sodium, bottled at the source in a 100 % recycled PET bottle",
            "eau minérale naturelle plate, pauvre en sodium, embouteillée à la source dans une bouteille en PET 100 % recyclé",
            "مياه معدنية طبيعية غير غازية، قليلة الصوديوم، معبأة من المصدر في زجاجة PET معاد تدويرها بالكامل",
            "природная негазированная минеральная вода с низким содержанием натрия, разлита у источника в бутылку из 100 % переработанного ПЭТ",
            "natürliches stilles Mineralwasser, natriumarm, an der Quelle abgefüllt in einer Flasche aus 100 % recyceltem PET",
        ],
        net_unit: "MLT",
        net_values: &[500, 1500],
        dims: [65, 230, 65],
        weight: 530,
    },
    Family {
        gpc_code: "10000040",
        gpc_name: "Oils - Edible",
        functional: ["Olive oil", "Huile d'olive", "زيت زيتون", "Оливковое масло", "Olivenöl"],
        long: [
            "extra virgin olive oil, cold extracted from early-harvest olives, fruity with a peppery finish, in a dark glass bottle",
            "huile d'olive vierge extra, extraite à froid d'olives de récolte précoce, fruitée avec une finale poivrée, en bouteille de verre teinté",
            "زيت زيتون بكر ممتاز، مستخلص على البارد من زيتون الحصاد المبكر، بنكهة فاكهية ولمسة فلفلية، في زجاجة داكنة",
            "оливковое масло extra virgin холодного отжима из оливок раннего урожая, фруктовое с перечным послевкусием, в тёмной стеклянной бутылке",
            "natives Olivenöl extra, kalt extrahiert aus früh geernteten Oliven, fruchtig mit pfeffrigem Abgang, in dunkler Glasflasche",
        ],
        net_unit: "MLT",
        net_values: &[500, 750, 1000],
        dims: [60, 290, 60],
        weight: 1150,
    },
];

/// Variants appended to the sub-brand and descriptions.
pub(crate) const VARIANTS: &[[&str; 5]] = &[
    ["Classic", "Classique", "كلاسيك", "Классический", "Klassisch"],
    ["Intense", "Intense", "مكثف", "Интенсивный", "Intensiv"],
    ["Organic", "Bio", "عضوي", "Органический", "Bio"],
    ["Premium", "Premium", "فاخر", "Премиум", "Premium"],
    ["Limited edition", "Édition limitée", "إصدار محدود", "Ограниченная серия", "Limitierte Auflage"],
    ["Original", "Original", "أصلي", "Оригинальный", "Original"],
];

/// Sentences appended to `tradeItemDescription`.
pub(crate) const SENTENCES: &[[&str; 5]] = &[
    [
        "Made with care by a family business since 1952.",
        "Fabriqué avec soin par une entreprise familiale depuis 1952.",
        "صُنع بعناية من قبل شركة عائلية منذ عام 1952.",
        "Сделано с заботой семейным предприятием с 1952 года.",
        "Mit Sorgfalt hergestellt von einem Familienunternehmen seit 1952.",
    ],
    [
        "Store in a cool, dry place away from direct sunlight.",
        "À conserver dans un endroit frais et sec, à l'abri de la lumière directe du soleil.",
        "يُحفظ في مكان بارد وجاف بعيدًا عن أشعة الشمس المباشرة.",
        "Хранить в прохладном сухом месте, защищённом от прямых солнечных лучей.",
        "Kühl und trocken lagern, vor direkter Sonneneinstrahlung schützen.",
    ],
    [
        "Packaging made from recyclable materials; please sort after use.",
        "Emballage en matériaux recyclables ; à trier après usage.",
        "عبوة مصنوعة من مواد قابلة لإعادة التدوير؛ يرجى الفرز بعد الاستخدام.",
        "Упаковка из перерабатываемых материалов; после использования сдайте на переработку.",
        "Verpackung aus recycelbaren Materialien; bitte nach Gebrauch trennen.",
    ],
    [
        "Genuine product: check the hologram seal and the batch code on the pack.",
        "Produit authentique : vérifiez le sceau holographique et le numéro de lot sur l'emballage.",
        "منتج أصلي: تحقق من الختم المجسم ورمز الدفعة على العبوة.",
        "Оригинальная продукция: проверьте голографическую наклейку и номер партии на упаковке.",
        "Originalprodukt: Prüfen Sie das Hologrammsiegel und den Chargencode auf der Packung.",
    ],
];

/// "case of N units" around the count, per language.
pub(crate) const CASE_OF: [(&str, &str); 5] = [
    ("case of ", " units"),
    ("carton de ", " unités"),
    ("كرتونة من ", " وحدة"),
    ("коробка: ", " шт."),
    ("Karton mit ", " Einheiten"),
];

/// "pallet of N cases" around the count, per language.
pub(crate) const PALLET_OF: [(&str, &str); 5] = [
    ("pallet of ", " cases"),
    ("palette de ", " cartons"),
    ("منصة من ", " كرتونة"),
    ("паллета: ", " коробок"),
    ("Palette mit ", " Kartons"),
];

/// Short unit labels for descriptions, per language.
pub(crate) fn unit_label(unit: &str) -> Option<[&'static str; 5]> {
    match unit {
        "MLT" => Some(["ml", "ml", "مل", "мл", "ml"]),
        "GRM" => Some(["g", "g", "غ", "г", "g"]),
        _ => None,
    }
}

/// Target markets (ISO 3166-1 numeric).
pub(crate) const MARKETS: &[&str] = &["250", "276", "056", "528", "826", "840", "643", "784", "682", "380"];

/// Time zones for `lastChangeDateTime` and friends.
pub(crate) const ZONES: &[&str] =
    &["Z", "+01:00", "+02:00", "+03:00", "+04:00", "-05:00", "+09:00", "-08:00"];

/// Document commands that a CIN may carry and that leave it accepted.
pub(crate) const COMMANDS: &[&str] =
    &["ADD", "ADD", "ADD", "CHANGE_BY_REFRESH", "CHANGE_BY_REFRESH", "CORRECT"];
