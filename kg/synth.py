"""A deterministic, national-scale SYNTHETIC dataset on top of the real region list.

``generate`` writes gzip-compressed N-Quads, streamed (only small per-sentra arrays are held in
memory), into the named graph ``{base}graph/synthetic``. Everything it mints is marked
``kl:isIllustrative true`` and the dataset description says SYNTHETIC. It uses the shapes of the
sample data (``kg/data/sample/*.ttl``) so that every canned question has answers on it:

* sentra (``kl:Sentra``) in real desa/kelurahan (``kl:locatedIn``), spread over the country with a
  Zipf-like skew per kabupaten/kota and per desa, and clustered by commodity: each kabupaten/kota
  has two specialities that most of its sentra make, so location quotients differ between regions;
* their KBLI 2020 class (``kl:industryCode``, the reference data's ``kbli/2020/{code}``), products,
  inputs (supply relations: one family's product is another's input), technologies, skills,
  financing sources and schemes;
* enterprises (``kl:Enterprise``) with capital and sales, ``kl:memberOfSentra``, ``kl:locatedIn``;
* yearly unit and worker counts per sentra (``qb:Observation``), with growth that differs by sentra;
* declared linkages (``kl:Linkage``), agencies, programmes and interventions.

The same seed and sizes give byte-identical output.
"""

from __future__ import annotations

import bisect
import gzip
import itertools
import math
import random
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from kg.namespaces import DCAT, DCTERMS, KL, QB, RDF, RDFS, SKOS, VOID, XSD, graph_iri

GRAPH_SYNTHETIC = "synthetic"
YEARS = (2020, 2021, 2022, 2023, 2024)

Say = Callable[[str], None]


@dataclass(frozen=True)
class SynthConfig:
    """Sizes and seed of a synthetic dataset; the other counts follow from the number of sentra."""

    sentra: int = 100_000
    enterprises: int = 1_000_000
    seed: int = 42
    base_iri: str = "https://w3id.org/klaster/id/"
    years: tuple[int, ...] = YEARS

    @property
    def interventions(self) -> int:
        return max(1, self.sentra // 4)

    @property
    def linkages(self) -> int:
        return max(1, self.sentra // 5)


@dataclass(frozen=True)
class SynthSummary:
    """What ``generate`` wrote."""

    path: Path
    triples: int
    sentra: int
    enterprises: int
    observations: int
    interventions: int
    linkages: int
    seconds: float
    counts: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Family:
    """A commodity: its KBLI 2020 class, products, inputs, technologies and skills (slugs)."""

    kbli: str
    popularity: float
    products: tuple[tuple[str, str, str], ...]   # (slug, Indonesian label, English label)
    inputs: tuple[str, ...]                      # product slugs (made by other families or raw)
    technologies: tuple[str, ...]
    skills: tuple[str, ...]


#: The commodities, one per KBLI 2020 class of the bundled subset. Popularity is a relative weight
#: of how many sentra make the commodity nationally.
FAMILIES: tuple[Family, ...] = (
    Family("13121", 3, (("kain-tenun", "Kain tenun", "Woven cloth"), ("sarung-tenun", "Sarung tenun", "Woven sarongs")),
           ("benang",), ("alat-tenun-bukan-mesin", "alat-tenun-mesin", "pencelupan-benang"),
           ("menenun", "pewarnaan-alami")),
    Family("13134", 6, (("kain-batik", "Kain batik", "Batik cloth"), ("batik-tulis", "Batik tulis", "Hand-drawn batik"),
                        ("batik-cap", "Batik cap", "Stamped batik")),
           ("kain-mori", "malam-batik", "kain-tenun"), ("canting", "cap-tembaga", "pewarnaan-sintetis", "ipal-batik"),
           ("membatik", "pewarnaan-alami", "desain-motif")),
    Family("15111", 1, (("kulit-mentah", "Kulit mentah (awetan)", "Raw (preserved) hides"),),
           ("kulit-hewan",), ("penggaraman-kulit", "gudang-pendingin"), ("pengawetan-kulit",)),
    Family("15112", 1.5, (("kulit-samak", "Kulit samak", "Tanned leather"),), ("kulit-mentah",),
           ("penyamakan-krom", "penyamakan-nabati", "mesin-seset-kulit", "ipal-penyamakan"), ("penyamakan-kulit",)),
    Family("15114", 0.5, (("kulit-sintetis", "Kulit sintetis", "Synthetic leather"),), ("kain-tenun",),
           ("pelapisan-pu",), ("pelapisan-kulit",)),
    Family("15121", 4, (("tas-kulit", "Tas kulit", "Leather bags"), ("dompet-kulit", "Dompet kulit", "Leather wallets"),
                        ("ikat-pinggang", "Ikat pinggang", "Belts")),
           ("kulit-samak", "kulit-sintetis"), ("mesin-jahit-kulit", "mesin-seset-kulit", "pengeleman"),
           ("jahit-kulit", "desain-produk")),
    Family("15129", 0.7, (("kerajinan-kulit", "Kerajinan kulit", "Leather crafts"),), ("kulit-samak",),
           ("mesin-jahit-kulit", "tatah-sungging"), ("jahit-kulit", "tatah-sungging-kulit")),
    Family("15201", 5, (("sandal", "Sandal", "Sandals"), ("sepatu", "Sepatu", "Shoes")),
           ("kulit-samak", "sol-karet", "spons-eva"), ("mesin-jahit-sepatu", "cetak-sol", "pengeleman", "mesin-potong-pola"),
           ("pola-sepatu", "jahit-kulit")),
    Family("15202", 1, (("sepatu-olahraga", "Sepatu olahraga", "Sports shoes"),), ("sol-karet", "kain-tenun"),
           ("mesin-jahit-sepatu", "cetak-sol", "pengeleman"), ("pola-sepatu",)),
    Family("15203", 0.4, (("sepatu-safety", "Sepatu keselamatan kerja", "Safety boots"),), ("kulit-samak", "sol-karet"),
           ("mesin-jahit-sepatu", "cetak-sol"), ("pola-sepatu", "jahit-kulit")),
    Family("15209", 1.5, (("sandal-jepit", "Sandal jepit", "Flip-flops"),), ("spons-eva",),
           ("cetak-sol", "mesin-potong-pola"), ("desain-produk",)),
    Family("16291", 5, (("anyaman-bambu", "Anyaman bambu", "Bamboo weaving"), ("anyaman-rotan", "Anyaman rotan", "Rattan weaving")),
           ("bambu", "rotan"), ("pengawetan-bambu", "mesin-belah-bambu"), ("menganyam",)),
    Family("16292", 3, (("anyaman-pandan", "Anyaman pandan", "Pandanus weaving"), ("tikar", "Tikar", "Mats")),
           ("pandan",), ("pewarnaan-sintetis",), ("menganyam",)),
    Family("16293", 3, (("ukiran-kayu", "Ukiran kayu", "Wood carvings"),), ("kayu-jati",),
           ("pahat-ukir", "finishing-kayu"), ("mengukir-kayu",)),
    Family("31001", 6, (("meja-kayu", "Meja kayu", "Wooden tables"), ("kursi-kayu", "Kursi kayu", "Wooden chairs")),
           ("kayu-jati", "ukiran-kayu"), ("mesin-serut-kayu", "oven-pengering-kayu", "finishing-kayu"),
           ("pertukangan-kayu", "desain-produk")),
    Family("31002", 2, (("kursi-rotan", "Kursi rotan", "Rattan chairs"),), ("rotan", "anyaman-rotan"),
           ("pengawetan-bambu", "finishing-kayu"), ("menganyam", "pertukangan-kayu")),
    Family("32903", 2, (("kerajinan-cor-kuningan", "Kerajinan cor kuningan", "Cast brass crafts"),
                        ("wayang-kulit", "Wayang kulit", "Leather shadow puppets")),
           ("kuningan", "kulit-samak"), ("pengecoran-logam", "tatah-sungging"), ("tatah-sungging-kulit", "pengecoran")),
    Family("10391", 8, (("tempe", "Tempe", "Tempeh"),), ("kedelai",), ("fermentasi-tempe", "perebusan-kedelai"),
           ("higiene-pangan",)),
    Family("10392", 7, (("tahu", "Tahu", "Tofu"),), ("kedelai",), ("penggilingan-kedelai", "perebusan-kedelai"),
           ("higiene-pangan",)),
    Family("10793", 2, (("kacang-mete-olahan", "Kacang mete olahan", "Processed cashews"),), ("kacang-mete",),
           ("kupas-mete", "oven-sangrai"), ("higiene-pangan",)),
    Family("10794", 9, (("kerupuk", "Kerupuk", "Crackers"), ("keripik", "Keripik", "Chips")),
           ("tepung-tapioka", "kedelai"), ("pengering-surya", "penggorengan-vakum", "pengemasan-vakum"),
           ("higiene-pangan", "pengemasan")),
)

#: Inputs nobody in the dataset makes (raw materials), with their labels.
RAW_INPUTS: dict[str, tuple[str, str]] = {
    "benang": ("Benang", "Yarn"), "kain-mori": ("Kain mori", "Mori cotton cloth"),
    "malam-batik": ("Malam batik", "Batik wax"), "kulit-hewan": ("Kulit hewan", "Animal skins"),
    "sol-karet": ("Sol karet", "Rubber soles"), "spons-eva": ("Lembaran spons EVA", "EVA sponge sheets"),
    "bambu": ("Bambu", "Bamboo"), "rotan": ("Rotan", "Rattan"), "pandan": ("Daun pandan", "Pandanus leaves"),
    "kayu-jati": ("Kayu jati", "Teak wood"), "kuningan": ("Kuningan", "Brass"),
    "kedelai": ("Kedelai", "Soybeans"), "kacang-mete": ("Kacang mete gelondong", "Raw cashew nuts"),
    "tepung-tapioka": ("Tepung tapioka", "Tapioca flour"),
}

GENERIC_SKILLS = ("pemasaran-digital", "pembukuan", "manajemen-mutu", "ekspor")
GENERIC_TECHNOLOGIES = ("pembayaran-digital", "pengemasan-modern", "desain-berbantuan-komputer")
NATIONAL_LENDERS = ("bank-rakyat", "bank-negara", "bank-mandiri", "bank-syariah", "pegadaian",
                    "dana-bergulir", "permodalan-nasional")
SCHEMES = ("kur", "umi", "mekaar", "kredit-komersial", "hibah-daerah")
INTERVENTION_TYPES = ("Coaching", "Training", "EquipmentAid", "FinancingFacilitation", "MarketFacilitation")
TYPE_WORDS = {"Coaching": "Pembinaan", "Training": "Pelatihan", "EquipmentAid": "Bantuan peralatan",
              "FinancingFacilitation": "Fasilitasi pembiayaan", "MarketFacilitation": "Fasilitasi pemasaran"}
LINKAGE_KINDS = (("ProductLinkage", "produk"), ("TechnologyLinkage", "teknologi"),
                 ("HumanResourceLinkage", "keterampilan"), ("FinancingLinkage", "pembiayaan"))

_DESA_LEVELS = ("desa", "kelurahan", "desa_adat")


def _humanise(slug: str) -> str:
    return slug.replace("-", " ").capitalize()


def _literal(text: str, lang: str | None = None) -> str:
    escaped = (text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
               .replace("\r", "\\r"))
    return f'"{escaped}"@{lang}' if lang else f'"{escaped}"'


def _typed(value: object, datatype: str) -> str:
    return f'"{value}"^^<{XSD}{datatype}>'


class _Writer:
    """Buffers N-Quads lines into one named graph of a gzip stream and counts them."""

    def __init__(self, handle, graph: str) -> None:
        self._handle = handle
        self._graph = f" <{graph}> .\n"
        self._lines: list[str] = []
        self.count = 0

    def quad(self, subject: str, predicate: str, obj: str) -> None:
        self._lines.append(f"<{subject}> <{predicate}> {obj}{self._graph}")
        if len(self._lines) >= 20_000:
            self.flush()

    def flush(self) -> None:
        if self._lines:
            self._handle.write("".join(self._lines).encode("utf-8"))
            self.count += len(self._lines)
            self._lines.clear()


@dataclass(frozen=True)
class _Places:
    """The real regions the generator draws from."""

    desa: tuple[str, ...]                  # codes of desa/kelurahan
    desa_names: tuple[str, ...]
    kabupaten: tuple[str, ...]             # codes of kabupaten/kota
    kabupaten_names: tuple[str, ...]
    desa_by_kabupaten: tuple[tuple[int, ...], ...]   # indexes into desa
    desa_by_kecamatan: dict[str, tuple[int, ...]]
    provinces: tuple[str, ...]
    province_names: dict[str, str]


def _places(regions: Iterable[object]) -> _Places:
    desa: list[str] = []
    names: list[str] = []
    kab: list[str] = []
    kab_names: list[str] = []
    provinces: dict[str, str] = {}
    by_kab: dict[str, list[int]] = {}
    by_kec: dict[str, list[int]] = {}
    for region in regions:
        code, level, name = region.code, region.level, region.name  # type: ignore[attr-defined]
        if level == "provinsi":
            provinces[code] = name
        elif level in ("kabupaten", "kota"):
            kab.append(code)
            kab_names.append(name)
        elif level in _DESA_LEVELS:
            by_kab.setdefault(code.rsplit(".", 2)[0], []).append(len(desa))
            by_kec.setdefault(code.rsplit(".", 1)[0], []).append(len(desa))
            desa.append(code)
            names.append(name)
    keep = [i for i, code in enumerate(kab) if by_kab.get(code)]
    return _Places(tuple(desa), tuple(names), tuple(kab[i] for i in keep),
                   tuple(kab_names[i] for i in keep), tuple(tuple(by_kab[kab[i]]) for i in keep),
                   {k: tuple(v) for k, v in by_kec.items()}, tuple(sorted(provinces)), provinces)


def _cumulative(weights: Sequence[float]) -> list[float]:
    return list(itertools.accumulate(weights))


def _pick(rng: random.Random, items: Sequence, cum: Sequence[float]):
    return items[bisect.bisect(cum, rng.random() * cum[-1])]


def _zipf_weights(rng: random.Random, n: int, exponent: float) -> list[float]:
    ranks = list(range(1, n + 1))
    rng.shuffle(ranks)
    return [1.0 / r ** exponent for r in ranks]


class _Generator:
    def __init__(self, config: SynthConfig, places: _Places, writer: _Writer) -> None:
        self.c = config
        self.p = places
        self.w = writer
        self.rng = random.Random(config.seed)
        b = config.base_iri
        self.b = b
        self.true = _typed("true", "boolean")
        self.kbli = {f.kbli: f"{b}kbli/2020/{f.kbli}" for f in FAMILIES}
        self.dataset = f"{b}dataset/sintetis"
        self.cube = f"{b}dataset/statistik-sintetis"
        self.counts: dict[str, int] = {}

    # -- small helpers ---------------------------------------------------------------------------
    def iri(self, path: str) -> str:
        return self.b + path

    def labelled(self, subject: str, cls: str, label_id: str, label_en: str | None = None) -> None:
        q = self.w.quad
        q(subject, RDF + "type", f"<{cls}>")
        q(subject, RDFS + "label", _literal(label_id, "id"))
        if label_en:
            q(subject, RDFS + "label", _literal(label_en, "en"))
        q(subject, KL + "isIllustrative", self.true)

    # -- vocabulary ------------------------------------------------------------------------------
    def concepts(self) -> None:
        q = self.w.quad
        schemes = {}
        for kind, label_id, label_en in (("produk", "Produk (sintetis)", "Products (synthetic)"),
                                         ("teknologi", "Teknologi (sintetis)", "Technologies (synthetic)"),
                                         ("keterampilan", "Keterampilan (sintetis)", "Skills (synthetic)"),
                                         ("pembiayaan", "Sumber pembiayaan (sintetis)", "Financing sources (synthetic)"),
                                         ("skema-pembiayaan", "Skema pembiayaan (sintetis)", "Financing schemes (synthetic)")):
            scheme = self.iri(f"skema/sintetis-{kind}")
            self.labelled(scheme, SKOS + "ConceptScheme", label_id, label_en)
            schemes[kind] = scheme

        def concept(kind: str, slug: str, cls: str, label_id: str, label_en: str,
                    kbli: str | None = None) -> None:
            subject = self.concept_iri(kind, slug)
            self.labelled(subject, KL + cls, label_id, label_en)
            q(subject, RDF + "type", f"<{SKOS}Concept>")
            q(subject, SKOS + "prefLabel", _literal(label_id, "id"))
            q(subject, SKOS + "prefLabel", _literal(label_en, "en"))
            q(subject, SKOS + "inScheme", f"<{schemes[kind]}>")
            if kbli:
                q(subject, KL + "classifiedAs", f"<{self.kbli[kbli]}>")

        for family in FAMILIES:
            for slug, label_id, label_en in family.products:
                concept("produk", slug, "Product", label_id, label_en, family.kbli)
        for slug, (label_id, label_en) in RAW_INPUTS.items():
            concept("produk", slug, "Product", label_id, label_en)
        techs = sorted({t for f in FAMILIES for t in f.technologies} | set(GENERIC_TECHNOLOGIES))
        for slug in techs:
            concept("teknologi", slug, "Technology", _humanise(slug), f"{_humanise(slug)} (technology)")
        skills = sorted({s for f in FAMILIES for s in f.skills} | set(GENERIC_SKILLS))
        for slug in skills:
            concept("keterampilan", slug, "Skill", _humanise(slug), f"{_humanise(slug)} (skill)")
        for slug in NATIONAL_LENDERS:
            concept("pembiayaan", slug, "FinancingSource", _humanise(slug), _humanise(slug))
        for code in self.p.provinces:
            name = self.p.province_names[code]
            concept("pembiayaan", f"bank-daerah-{code}", "FinancingSource",
                    f"Bank daerah {name}", f"Regional bank of {name}")
        for code, name in zip(self.p.kabupaten, self.p.kabupaten_names):
            concept("pembiayaan", f"koperasi-{code}", "FinancingSource",
                    f"Koperasi usaha {name}", f"Business cooperative of {name}")
        for slug in SCHEMES:
            concept("skema-pembiayaan", slug, "FinancingScheme", slug.upper() if len(slug) <= 6 else _humanise(slug),
                    _humanise(slug))

    def concept_iri(self, kind: str, slug: str) -> str:
        return self.iri(f"{kind}/sintetis-{slug}")

    # -- sentra ----------------------------------------------------------------------------------
    def plan_sentra(self) -> None:
        """Where each sentra is, what it makes and how many units it has: small arrays only."""
        rng, p = self.rng, self.p
        n_kab = len(p.kabupaten)
        weights = _zipf_weights(rng, n_kab, 0.9)
        kab_cum = _cumulative([w * math.sqrt(len(d)) for w, d in zip(weights, p.desa_by_kabupaten)])
        desa_cums = []
        for desa in p.desa_by_kabupaten:
            desa_cums.append(_cumulative(_zipf_weights(rng, len(desa), 0.7)))
        fam_cum = _cumulative([f.popularity for f in FAMILIES])
        fam_idx = range(len(FAMILIES))
        specialities = [(_pick(rng, fam_idx, fam_cum), _pick(rng, fam_idx, fam_cum)) for _ in range(n_kab)]
        n = self.c.sentra
        self.s_desa = [0] * n
        self.s_kab = [0] * n
        self.s_family = [0] * n
        self.s_units: list[tuple[int, ...]] = []
        for i in range(n):
            k = bisect.bisect(kab_cum, rng.random() * kab_cum[-1])
            self.s_kab[i] = k
            self.s_desa[i] = _pick(rng, p.desa_by_kabupaten[k], desa_cums[k])
            roll = rng.random()
            first, second = specialities[k]
            self.s_family[i] = (first if roll < 0.4 else second if roll < 0.6
                                else _pick(rng, fam_idx, fam_cum))
            base = min(600, max(5, int(rng.lognormvariate(3.3, 0.7))))
            growth = rng.gauss(0.03, 0.08) + (0.25 if rng.random() < 0.05 else 0.0)
            start = 0 if rng.random() > 0.04 else rng.randrange(1, len(self.c.years))
            units = tuple(0 if y < start else max(1, int(base * (1 + growth) ** y))
                          for y in range(len(self.c.years)))
            self.s_units.append(units)
        self.specialities = specialities

    def sentra_iri(self, i: int) -> str:
        return self.iri(f"sentra/sintetis-{i:06d}")

    def write_sentra(self) -> None:
        rng, q, p = self.rng, self.w.quad, self.p
        province_of = {code: code.split(".")[0] for code in p.kabupaten}
        for i in range(self.c.sentra):
            family = FAMILIES[self.s_family[i]]
            s = self.sentra_iri(i)
            desa_code = p.desa[self.s_desa[i]]
            desa_name = p.desa_names[self.s_desa[i]]
            product = family.products[0]
            self.labelled(s, KL + "Sentra", f"Sentra {product[1].lower()} {desa_name}",
                          f"{desa_name} {product[2].lower()} sentra (synthetic)")
            q(s, KL + "locatedIn", f"<{self.iri('wilayah/' + desa_code)}>")
            q(s, KL + "industryCode", f"<{self.kbli[family.kbli]}>")
            made = family.products if len(family.products) == 1 else rng.sample(
                family.products, rng.randint(1, len(family.products)))
            for slug, _, _ in made:
                q(s, KL + "produces", f"<{self.concept_iri('produk', slug)}>")
            for slug in rng.sample(family.inputs, rng.randint(1, len(family.inputs))):
                q(s, KL + "needsInput", f"<{self.concept_iri('produk', slug)}>")
            techs = rng.sample(family.technologies, rng.randint(1, len(family.technologies)))
            if rng.random() < 0.3:
                techs.append(rng.choice(GENERIC_TECHNOLOGIES))
            for slug in techs:
                q(s, KL + "usesTechnology", f"<{self.concept_iri('teknologi', slug)}>")
            skills = rng.sample(family.skills, rng.randint(1, len(family.skills)))
            skills += [g for g in GENERIC_SKILLS if rng.random() < 0.25]
            for slug in skills:
                q(s, KL + "needsSkill", f"<{self.concept_iri('keterampilan', slug)}>")
            kab = p.kabupaten[self.s_kab[i]]
            lenders = [f"bank-daerah-{province_of[kab]}"] if rng.random() < 0.5 else []
            if rng.random() < 0.3:
                lenders.append(f"koperasi-{kab}")
            if not lenders or rng.random() < 0.5:
                lenders.append(rng.choice(NATIONAL_LENDERS))
            for slug in lenders:
                q(s, KL + "financedBy", f"<{self.concept_iri('pembiayaan', slug)}>")
            q(s, KL + "usesFinancingScheme",
              f"<{self.concept_iri('skema-pembiayaan', SCHEMES[0] if rng.random() < 0.6 else rng.choice(SCHEMES))}>")
        self.counts["sentra"] = self.c.sentra

    # -- statistics ------------------------------------------------------------------------------
    def write_observations(self) -> None:
        q = self.w.quad
        self.labelled(self.cube, QB + "DataSet", "Statistik sentra (sintetis)", "Sentra statistics (synthetic)")
        q(self.cube, QB + "structure", f"<{KL}SentraStatisticsStructure>")
        q(self.cube, DCTERMS + "isPartOf", f"<{self.dataset}>")
        count = 0
        for i in range(self.c.sentra):
            s = self.sentra_iri(i)
            industry = f"<{self.kbli[FAMILIES[self.s_family[i]].kbli]}>"
            workers_per_unit = 2 + (i * 7919) % 5
            for year, units in zip(self.c.years, self.s_units[i]):
                if units == 0:
                    continue
                o = self.iri(f"observasi/sintetis-{i:06d}/{year}")
                q(o, RDF + "type", f"<{QB}Observation>")
                q(o, QB + "dataSet", f"<{self.cube}>")
                q(o, RDFS + "label", _literal(f"Statistik sentra sintetis {i} {year}", "id"))
                q(o, KL + "refSentra", f"<{s}>")
                q(o, KL + "refPeriod", _typed(year, "gYear"))
                q(o, KL + "refIndustry", industry)
                q(o, KL + "unitCount", _typed(units, "integer"))
                q(o, KL + "workerCount", _typed(units * workers_per_unit, "integer"))
                q(o, KL + "isIllustrative", self.true)
                count += 1
        self.counts["observations"] = count

    # -- enterprises -----------------------------------------------------------------------------
    def write_enterprises(self) -> None:
        rng, q, p = self.rng, self.w.quad, self.p
        cum = _cumulative([u[-1] or 1 for u in self.s_units])
        sentra_ids = range(self.c.sentra)
        for e in range(self.c.enterprises):
            i = _pick(rng, sentra_ids, cum)
            family = FAMILIES[self.s_family[i]]
            desa = self.s_desa[i]
            if rng.random() < 0.1:  # some members live in a neighbouring desa of the same kecamatan
                desa = rng.choice(p.desa_by_kecamatan[p.desa[desa].rsplit(".", 1)[0]])
            subject = self.iri(f"usaha/sintetis-{e:07d}")
            q(subject, RDF + "type", f"<{KL}Enterprise>")
            q(subject, RDFS + "label", _literal(f"Usaha {family.products[0][1].lower()} {p.desa_names[desa]} {e}", "id"))
            q(subject, KL + "memberOfSentra", f"<{self.sentra_iri(i)}>")
            q(subject, KL + "locatedIn", f"<{self.iri('wilayah/' + p.desa[desa])}>")
            q(subject, KL + "industryCode", f"<{self.kbli[family.kbli]}>")
            capital = int(rng.lognormvariate(18.5, 1.2)) // 1000 * 1000
            q(subject, KL + "startupCapital", _typed(capital, "decimal"))
            q(subject, KL + "annualSales", _typed(int(capital * rng.uniform(1.5, 8)) // 1000 * 1000, "decimal"))
            if rng.random() < 0.7:
                q(subject, KL + "usesFinancingScheme", f"<{self.concept_iri('skema-pembiayaan', 'kur')}>")
                q(subject, KL + "financedBy", f"<{self.concept_iri('pembiayaan', rng.choice(NATIONAL_LENDERS))}>")
            q(subject, KL + "isIllustrative", self.true)
        self.counts["enterprises"] = self.c.enterprises

    # -- linkages --------------------------------------------------------------------------------
    def write_linkages(self) -> None:
        rng, q = self.rng, self.w.quad
        needers: dict[str, list[int]] = {}
        makers: dict[str, list[int]] = {}
        by_kab: dict[int, list[int]] = {}
        for i in range(self.c.sentra):
            family = FAMILIES[self.s_family[i]]
            for slug in family.inputs:
                needers.setdefault(slug, []).append(i)
            for slug, _, _ in family.products:
                makers.setdefault(slug, []).append(i)
            by_kab.setdefault(self.s_kab[i], []).append(i)
        traded = sorted(set(needers) & set(makers))
        written = 0
        for n in range(self.c.linkages):
            kind, word = LINKAGE_KINDS[0] if rng.random() < 0.55 else rng.choice(LINKAGE_KINDS[1:])
            if kind == "ProductLinkage" and traded:
                slug = rng.choice(traded)
                target = rng.choice(needers[slug])
                province = self.p.kabupaten[self.s_kab[target]].split(".")[0]
                tries = [rng.choice(makers[slug]) for _ in range(8)]  # a supplier nearby if any
                source = next((s for s in tries
                               if self.p.kabupaten[self.s_kab[s]].startswith(province + ".")), tries[0])
                item = self.concept_iri("produk", slug)
            else:
                kind, word = LINKAGE_KINDS[1 + n % 3]
                source = rng.randrange(self.c.sentra)
                family = FAMILIES[self.s_family[source]]
                target = rng.choice(by_kab[self.s_kab[source]])
                pool = {"TechnologyLinkage": ("teknologi", family.technologies),
                        "HumanResourceLinkage": ("keterampilan", family.skills),
                        "FinancingLinkage": ("skema-pembiayaan", SCHEMES[:1])}[kind]
                item = self.concept_iri(pool[0], rng.choice(pool[1]))
            if target == source:
                continue
            link = self.iri(f"keterkaitan/sintetis-{n:06d}")
            self.labelled(link, KL + "Linkage", f"Keterkaitan {word} sintetis {n}",
                          f"Synthetic {word} linkage {n}")
            q(link, KL + "linkageSource", f"<{self.sentra_iri(source)}>")
            q(link, KL + "linkageTarget", f"<{self.sentra_iri(target)}>")
            q(link, KL + "linkageKind", f"<{KL}{kind}>")
            q(link, KL + "linkageStatus", f"<{KL}Illustrative>")
            q(link, KL + "directed", _typed("true" if kind == "ProductLinkage" else "false", "boolean"))
            q(link, KL + "sharedItem", f"<{item}>")
            q(link, KL + "evidenceNote", _literal("Synthetic linkage generated for benchmarks.", "en"))
            written += 1
        self.counts["linkages"] = written

    # -- agencies, programmes, interventions ----------------------------------------------------
    def write_interventions(self) -> None:
        rng, q, p = self.rng, self.w.quad, self.p
        for code in p.provinces:
            name = p.province_names[code]
            agency = self.iri(f"lembaga/sintetis-dinas-{code}")
            self.labelled(agency, KL + "Agency", f"Dinas Koperasi dan UKM {name} (sintetis)",
                          f"Cooperatives and SME office of {name} (synthetic)")
            for kind in INTERVENTION_TYPES:
                programme = self.iri(f"program/sintetis-{code}-{kind.lower()}")
                self.labelled(programme, KL + "Programme", f"{TYPE_WORDS[kind]} UMKM {name} (sintetis)")
                q(programme, "http://www.w3.org/ns/prov#wasAttributedTo", f"<{agency}>")
        by_kab: dict[int, list[int]] = {}
        for i in range(self.c.sentra):
            by_kab.setdefault(self.s_kab[i], []).append(i)
        for n in range(self.c.interventions):
            first = rng.randrange(self.c.sentra)
            province = p.kabupaten[self.s_kab[first]].split(".")[0]
            kind = rng.choice(INTERVENTION_TYPES)
            year = rng.choice(self.c.years)
            subject = self.iri(f"intervensi/sintetis-{n:06d}")
            self.labelled(subject, KL + "Intervention", f"{TYPE_WORDS[kind]} sentra sintetis {n} ({year})")
            q(subject, KL + "deliveredBy", f"<{self.iri(f'lembaga/sintetis-dinas-{province}')}>")
            q(subject, KL + "underProgramme", f"<{self.iri(f'program/sintetis-{province}-{kind.lower()}')}>")
            q(subject, KL + "interventionType", f"<{KL}{kind}>")
            reached = {first} | {rng.choice(by_kab[self.s_kab[first]]) for _ in range(rng.randint(0, 2))}
            for i in sorted(reached):
                q(subject, KL + "reachedSentra", f"<{self.sentra_iri(i)}>")
            q(subject, KL + "year", _typed(year, "gYear"))
        self.counts["interventions"] = self.c.interventions

    # -- the dataset -----------------------------------------------------------------------------
    def write_description(self) -> None:
        q, d = self.w.quad, self.dataset
        q(d, RDF + "type", f"<{DCAT}Dataset>")
        q(d, RDF + "type", f"<{VOID}Dataset>")
        q(d, RDFS + "label", _literal("Data SINTETIS klaster UMKM nasional (untuk uji kinerja)", "id"))
        q(d, RDFS + "label", _literal("SYNTHETIC national MSME cluster data (for benchmarks)", "en"))
        q(d, DCTERMS + "title", _literal("SYNTHETIC national MSME cluster data (for benchmarks)", "en"))
        q(d, DCTERMS + "description", _literal(
            "SYNTHETIC DATA. Every sentra, enterprise, observation, linkage, programme, agency, "
            "intervention and concept in this graph was generated by 'klaster synth' "
            f"(seed {self.c.seed}, {self.c.sentra} sentra, {self.c.enterprises} enterprises) for "
            "benchmarks and demonstrations and is marked kl:isIllustrative true. Only the regions "
            "(the real Kemendagri list) and the KBLI 2020 classes it points to are real. Do not use "
            "it as facts.", "en"))
        q(d, DCTERMS + "description", _literal(
            "DATA SINTETIS, dibuat untuk uji kinerja; bukan fakta. Hanya wilayah dan kode KBLI yang nyata.", "id"))
        q(d, DCTERMS + "references", f"<{self.iri('dataset/wilayah')}>")
        q(d, DCTERMS + "references", f"<{self.iri('dataset/kbli')}>")
        q(d, VOID + "exampleResource", f"<{self.sentra_iri(0)}>")
        q(d, KL + "isIllustrative", self.true)
        self.w.flush()
        q(d, VOID + "triples", _typed(self.w.count + 1, "integer"))


def generate(out: Path, config: SynthConfig = SynthConfig(), *, regions: Iterable[object] | None = None,
             say: Say = lambda _: None) -> SynthSummary:
    """Write the synthetic dataset to ``out`` (gzip N-Quads) and say how big it is."""
    from kg.reference import read_regions

    started = time.perf_counter()
    places = _places(regions if regions is not None else read_regions())
    graph = graph_iri(config.base_iri, GRAPH_SYNTHETIC)
    with open(out, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0,
                                               compresslevel=3) as handle:
        writer = _Writer(handle, graph)
        gen = _Generator(config, places, writer)
        steps = (("concepts", gen.concepts), ("sentra plan", gen.plan_sentra),
                 ("sentra", gen.write_sentra), ("observations", gen.write_observations),
                 ("linkages", gen.write_linkages), ("interventions", gen.write_interventions),
                 ("enterprises", gen.write_enterprises), ("description", gen.write_description))
        for name, step in steps:
            step()
            writer.flush()
            say(f"{name}: {writer.count:,} triples so far ({time.perf_counter() - started:.0f} s)")
    counts = gen.counts
    return SynthSummary(out, writer.count, config.sentra, config.enterprises, counts["observations"],
                        counts["interventions"], counts["linkages"], time.perf_counter() - started,
                        dict(counts))
