"""Regenerates the submission corpus: each file holds one fault, its expected findings beside it
(`NAME.expected.json`: conforms, and each finding's severity, row, column and constraint component, or
`error` for input that must be refused as unreadable). Run from this folder: python make_corpus.py"""
import csv, io, json, openpyxl
H = ["id_sentra","nama","kode_wilayah","kbli","versi_kbli","produk","lintang","bujur","tahun_data","jumlah_unit","jumlah_tenaga_kerja","sumber","ilustratif"]
GOOD = dict(id_sentra="wedoro-baru", nama="Sentra Sandal Wedoro Baru", kode_wilayah="35.15.18.2013", kbli="15201", versi_kbli="2020",
            produk="sandal;sandal-spons", lintang="-7,3536", bujur="112,7589", tahun_data="2024", jumlah_unit="120", jumlah_tenaga_kerja="300",
            sumber="https://eastjava.com/tourism/surabaya/wedoro.html", ilustratif="tidak")
SECOND = dict(GOOD, id_sentra="selosari-kulit", nama="Sentra Kerajinan Kulit Selosari", kode_wilayah="35.20.06.1010", kbli="15121",
              produk="tas-kulit", lintang="-7,6493", bujur="111,3381", jumlah_unit="45", jumlah_tenaga_kerja="90", sumber="", ilustratif="ya")
def text(rows, headers=H, delim=","):
    b = io.StringIO(newline=""); w = csv.writer(b, delimiter=delim, lineterminator="\r\n"); w.writerow(headers)
    for r in rows: w.writerow([r.get(h, "") for h in headers])
    return b.getvalue()
def csv_quote(value):
    return '"' + value.replace('"', '""') + '"' if "," in value or '"' in value else value
def write(name, data, expected):
    open(name, "wb").write(data if isinstance(data, bytes) else data.encode("utf-8"))
    json.dump(expected, open(name + ".expected.json", "w"), ensure_ascii=False, indent=1)
def exp(conforms, *findings, kind="sentra"):
    return {"kind": kind, "conforms": conforms, "findings": [dict(zip(("severity","row","column","constraint"), f)) for f in findings]}
def row(**kw): return dict(GOOD, **kw)
V, W, I = "violation", "warning", "info"
# -- accepted variants
write("good-sentra.csv", text([GOOD, SECOND]), exp(True))
write("good-utf8-bom.csv", b"\xef\xbb\xbf" + text([GOOD, SECOND]).encode(), exp(True))
write("good-semicolon-cp1252.csv", text([row(nama="Sentra Sandal ‘Wedoro’ Café"), SECOND], delim=";").encode("cp1252"), exp(True))
write("good-decimal-point.csv", text([row(lintang="-7.3536", bujur="112.7589"), SECOND]), exp(True))
TITLES = {"id_sentra": "ID sentra (huruf kecil, angka, tanda hubung)", "nama": "Nama sentra", "kode_wilayah": "Kode wilayah Kemendagri (desa/kelurahan atau kecamatan)"}
write("good-titles-as-headers.csv", text([GOOD], headers=H).replace("id_sentra,nama,kode_wilayah", ",".join(csv_quote(TITLES[h]) for h in H[:3])), exp(True))
write("unknown-column.csv", text([dict(GOOD, catatan="x")], headers=H + ["catatan"]), exp(True, (I, 1, "catatan", None)))
# -- one fault per file
write("region-unknown.csv", text([row(kode_wilayah="35.15.18.9999")]), exp(False, (V, 2, "kode_wilayah", "ClassConstraintComponent")))
write("region-level.csv", text([row(kode_wilayah="35.15")]), exp(False, (V, 2, "kode_wilayah", "OrConstraintComponent")))
write("region-missing.csv", text([row(kode_wilayah="")]), exp(False, (V, 2, "kode_wilayah", "MinCountConstraintComponent")))
write("kbli-unknown.csv", text([row(kbli="99999")]), exp(False, (V, 2, "kbli", "ClassConstraintComponent")))
write("kbli-wrong-version.csv", text([row(versi_kbli="2025")]), exp(False, (V, 2, "kbli", "ClassConstraintComponent")))
write("id-pattern.csv", text([row(id_sentra="Wedoro Baru")]), exp(False, (V, 2, "id_sentra", "PatternConstraintComponent")))
write("id-duplicate.csv", text([GOOD, SECOND, row(nama="Wedoro lagi")]), exp(False, (V, 4, "id_sentra", "MaxCountConstraintComponent")))
write("id-already-stored.csv", text([row(id_sentra="tanggulangin", kode_wilayah="35.15.06", kbli="15121")]), exp(False, (V, 2, "id_sentra", "MaxCountConstraintComponent")))
write("name-missing.csv", text([row(nama="")]), exp(False, (V, 2, "nama", "MinCountConstraintComponent")))
write("product-not-slug.csv", text([row(produk="Sandal Jepit")]), exp(False, (V, 2, "produk", "PatternConstraintComponent")))
write("coordinates-outside.csv", text([row(lintang="112,7589", bujur="-7,3536")]), exp(True, (W, 2, "bujur", "MinInclusiveConstraintComponent"), (W, 2, "lintang", "MaxInclusiveConstraintComponent")))
write("coordinates-not-number.csv", text([row(lintang="tujuh")]), exp(False, (V, 2, "lintang", "DatatypeConstraintComponent")))
write("few-units.csv", text([row(jumlah_unit="3")]), exp(True, (W, 2, "jumlah_unit", "MinInclusiveConstraintComponent")))
write("count-not-number.csv", text([row(jumlah_tenaga_kerja="banyak")]), exp(False, (V, 2, "jumlah_tenaga_kerja", "DatatypeConstraintComponent")))
write("count-negative.csv", text([row(jumlah_tenaga_kerja="-4")]), exp(False, (V, 2, "jumlah_tenaga_kerja", "MinInclusiveConstraintComponent")))
write("source-not-url.csv", text([row(sumber="koran Jawa Pos")]), exp(False, (V, 2, "sumber", "NodeKindConstraintComponent")))
write("source-missing.csv", text([row(sumber="", ilustratif="tidak")]), exp(True, (W, 2, None, "OrConstraintComponent")))
write("illustrative-not-boolean.csv", text([row(ilustratif="mungkin")]), exp(False, (V, 2, "ilustratif", "DatatypeConstraintComponent")))
write("year-bad.csv", text([row(tahun_data="20x4")]), exp(False, (V, 2, "tahun_data", "PatternConstraintComponent")))
SH = ["id_sentra", "tahun", "kbli", "versi_kbli", "jumlah_unit", "jumlah_tenaga_kerja", "nilai_produksi", "sumber", "ilustratif"]
write("statistics-good.csv", text([dict(id_sentra="tanggulangin", tahun="2024", kbli="15121", jumlah_unit="44", jumlah_tenaga_kerja="120", nilai_produksi="1.250.000.000", ilustratif="ya")], SH), exp(True, kind="statistics"))
write("statistics-tenfold.csv", text([dict(id_sentra="tanggulangin", tahun="2024", jumlah_unit="400", ilustratif="ya")], SH), exp(True, (W, 2, "jumlah_unit", "SPARQLConstraintComponent"), kind="statistics"))
write("statistics-sentra-unknown.csv", text([dict(id_sentra="tidak-ada", tahun="2024", jumlah_unit="40", ilustratif="ya")], SH), exp(False, (V, 2, "id_sentra", "NodeConstraintComponent"), kind="statistics"))
EH = ["id_usaha", "nama", "id_sentra", "kode_wilayah", "kbli", "versi_kbli", "modal_usaha", "omzet_tahunan", "sumber", "ilustratif"]
E = dict(id_usaha="usaha-contoh-1", nama="Usaha Sandal Contoh", id_sentra="tanggulangin", kode_wilayah="35.15.06", kbli="15121", modal_usaha="150.000.000", omzet_tahunan="480000000,50", ilustratif="ya")
write("enterprise-good.csv", text([E], EH), exp(True, kind="enterprise"))
write("enterprise-sentra-unknown.csv", text([dict(E, id_sentra="tidak-ada")], EH), exp(False, (V, 2, "id_sentra", "NodeConstraintComponent"), kind="enterprise"))
write("enterprise-capital-negative.csv", text([dict(E, modal_usaha="-5")], EH), exp(False, (V, 2, "modal_usaha", "MinInclusiveConstraintComponent"), kind="enterprise"))
LH = ["id_keterkaitan", "sentra_asal", "sentra_tujuan", "jenis", "status", "berarah", "kekuatan_bukti", "catatan", "sumber", "ilustratif"]
L = dict(id_keterkaitan="wedoro-tanggulangin", sentra_asal="wedoro-baru", sentra_tujuan="tanggulangin", jenis="produk", status="diusulkan", berarah="ya", kekuatan_bukti="weak", catatan="contoh", ilustratif="ya")
write("linkage-good.csv", text([dict(L, sentra_asal="wedoro")], LH), exp(True, kind="linkage"))
write("linkage-source-unknown.csv", text([L], LH), exp(False, (V, 2, "sentra_asal", "NodeConstraintComponent"), kind="linkage"))
write("linkage-to-itself.csv", text([dict(L, sentra_asal="tanggulangin")], LH), exp(False, (V, 2, "sentra_asal", "DisjointConstraintComponent"), kind="linkage"))
write("linkage-kind-unknown.csv", text([dict(L, sentra_asal="tanggulangin", sentra_tujuan="tanggulangin-2", jenis="cinta")], LH),
      exp(False, (V, 2, "jenis", "InConstraintComponent"), (V, 2, "sentra_tujuan", "NodeConstraintComponent"), kind="linkage"))
write("linkage-strength-unknown.csv", text([dict(L, sentra_asal="tanggulangin", sentra_tujuan="tanggulangin", kekuatan_bukti="sedang")], LH),
      exp(False, (V, 2, "kekuatan_bukti", "InConstraintComponent"), (V, 2, "sentra_asal", "DisjointConstraintComponent"), kind="linkage"))
IH = ["id_intervensi", "nama", "lembaga", "program", "id_sentra", "jenis", "tahun", "sumber", "ilustratif"]
IV = dict(id_intervensi="pembinaan-tanggulangin-2024", nama="Pembinaan kreativitas", lembaga="dinas-koperasi-ukm-jatim", program="pembinaan-ikm", id_sentra="tanggulangin", jenis="pembinaan", tahun="2024", ilustratif="ya")
write("intervention-good.csv", text([IV], IH), exp(True, kind="intervention"))
write("intervention-type-unknown.csv", text([dict(IV, jenis="hadiah")], IH), exp(False, (V, 2, "jenis", "InConstraintComponent"), kind="intervention"))
write("intervention-year-missing.csv", text([dict(IV, tahun="")], IH), exp(False, (V, 2, "tahun", "MinCountConstraintComponent"), kind="intervention"))
# -- RDF
write("good-sentra.ttl", """@prefix kl: <https://w3id.org/klaster/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
<sentra/wedoro-turtle> a kl:Sentra ; dcterms:identifier "wedoro-turtle" ; rdfs:label "Sentra Wedoro (Turtle)"@id ;
    kl:locatedIn <wilayah/35.15.18.2013> ; kl:industryCode <kbli/2020/15201> ; kl:isIllustrative true .
""", exp(True, kind=None))
write("region-unknown.jsonld", json.dumps({"@context": {"kl": "https://w3id.org/klaster/ontology#", "rdfs": "http://www.w3.org/2000/01/rdf-schema#", "dcterms": "http://purl.org/dc/terms/"},
   "@id": "sentra/wedoro-jsonld", "@type": "kl:Sentra", "dcterms:identifier": "wedoro-jsonld", "rdfs:label": {"@value": "Sentra JSON-LD", "@language": "id"},
   "kl:locatedIn": {"@id": "wilayah/99.99"}, "kl:industryCode": {"@id": "kbli/2020/15201"}, "kl:isIllustrative": True}, indent=1),
   exp(False, (V, None, None, "ClassConstraintComponent"), kind=None))
# -- unreadable
write("empty.csv", b"", {"error": "empty"})
write("not-a-spreadsheet.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), {"error": "not a spreadsheet"})
cut = text([GOOD, SECOND]); cut = cut[: cut.rindex('"-7,') + 5]  # ends inside a quoted cell
write("truncated.csv", cut, {"error": "truncated"})
write("header-only.csv", text([]), {"error": "no data rows"})
write("wrong-template.csv", "nama_barang,harga\nsepatu,10000\n", {"error": "does not match any template"})
write("bad-turtle.ttl", "<sentra/x> a <kl:Sentra ;", {"error": "invalid Turtle"})
# -- XLSX
def xlsx(rows, headers=H):
    wb = openpyxl.Workbook(); ws = wb.active; ws.append(headers)
    for r in rows: ws.append([r.get(h, "") for h in headers])
    b = io.BytesIO(); wb.save(b); return b.getvalue()
numeric = row(lintang=-7.3536, bujur=112.7589, tahun_data=2024, jumlah_unit=120, jumlah_tenaga_kerja=300)
write("good-sentra.xlsx", xlsx([numeric, SECOND]), exp(True))
write("region-unknown.xlsx", xlsx([GOOD, row(id_sentra="lain", kode_wilayah="35.15.18.9999")]), exp(False, (V, 3, "kode_wilayah", "ClassConstraintComponent")))
full = xlsx([GOOD, SECOND])
write("truncated.xlsx", full[: len(full) // 2], {"error": "damaged or truncated"})
write("not-a-workbook.xlsx", b"PK\x03\x04" + b"\x00" * 100, {"error": "damaged or truncated"})
