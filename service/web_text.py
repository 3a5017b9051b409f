"""The words of the web interface in Bahasa Indonesia (first) and English.

``TEXT[key]`` is ``{"id": ..., "en": ...}``; :func:`translator` gives a lookup for one language
that falls back to Indonesian and then to the key itself (so a missing word shows, never breaks).
"""

from __future__ import annotations

from collections.abc import Callable

LANGUAGES = ("id", "en")

TEXT: dict[str, dict[str, str]] = {
    "skip": {"id": "Langsung ke isi", "en": "Skip to content"},
    "home": {"id": "Beranda", "en": "Home"},
    "questions": {"id": "Pertanyaan", "en": "Questions"},
    "search": {"id": "Cari", "en": "Search"},
    "query_page": {"id": "Kueri SPARQL", "en": "SPARQL query"},
    "upload": {"id": "Kirim data", "en": "Submit data"},
    "switch_lang": {"id": "English", "en": "Bahasa Indonesia"},
    "switch_lang_label": {"id": "Ganti bahasa ke English", "en": "Switch language to Bahasa Indonesia"},
    "main_nav": {"id": "Navigasi utama", "en": "Main navigation"},
    "tagline": {"id": "Graf pengetahuan terbuka tentang sentra dan klaster UMKM Indonesia",
                "en": "An open knowledge graph of Indonesia's MSME clusters (sentra and klaster UMKM)"},
    "intro": {
        "id": "Klaster menghubungkan sentra dan klaster UMKM yang dapat saling mendukung melalui empat "
              "jenis keterkaitan — produk (rantai pasok, pasar bersama), sumber daya manusia "
              "(keterampilan), teknologi produksi, dan pembiayaan — menempatkannya dalam hierarki wilayah "
              "resmi (desa ⊂ kecamatan ⊂ kabupaten/kota ⊂ provinsi) dan kawasan kerja sama lintas "
              "provinsi, mengukur spesialisasi wilayah (location quotient), memperingatkan risiko "
              "kelebihan pasokan, dan mencatat intervensi pemerintah.",
        "en": "Klaster links MSME clusters (sentra and klaster UMKM) that can support each other through "
              "four kinds of linkage — product (supply chain, shared markets), human resources (skills), "
              "production technology and financing — places them in the official region hierarchy "
              "(desa ⊂ kecamatan ⊂ kabupaten/kota ⊂ provinsi) and in cross-province cooperation areas, "
              "measures regional specialisation (location quotients), warns of excess supply and "
              "records government interventions."},
    "sample_note": {
        "id": "Data contoh: sentra yang terdokumentasi membawa sumbernya; data ilustratif ditandai "
              "kl:isIllustrative.",
        "en": "Sample data: documented sentra carry their sources; illustrative data is marked "
              "kl:isIllustrative."},
    "search_label": {"id": "Cari sentra, wilayah, atau konsep", "en": "Search sentra, regions or concepts"},
    "search_placeholder": {"id": "mis. sepatu, Sidoarjo, batik", "en": "e.g. sepatu, Sidoarjo, batik"},
    "search_type": {"id": "Jenis", "en": "Kind"},
    "any": {"id": "semua", "en": "any"},
    "search_results": {"id": "Hasil pencarian", "en": "Search results"},
    "no_results": {"id": "Tidak ada hasil.", "en": "No results."},
    "for_whom": {"id": "Untuk siapa", "en": "Who it is for"},
    "researchers": {"id": "Peneliti", "en": "Researchers"},
    "researchers_text": {"id": "Kueri SPARQL standar, pertanyaan siap pakai sebagai API, unduhan CSV/JSON.",
                         "en": "A standard SPARQL endpoint, canned questions as an API, CSV/JSON downloads."},
    "stewards": {"id": "Petugas data", "en": "Data stewards"},
    "stewards_text": {"id": "Unduh templat Excel/CSV, periksa berkas Anda, lalu kirim.",
                      "en": "Download Excel/CSV templates, check your file, then submit it."},
    "agencies": {"id": "Lembaga lain", "en": "Other agencies"},
    "agencies_text": {"id": "Metadata dataset (VoID/DCAT), IRI yang dapat diakses, kode resmi, titik akhir SPARQL.",
                      "en": "Dataset metadata (VoID/DCAT), dereferenceable IRIs, official codes, the SPARQL endpoint."},
    "sparql_page": {"id": "Halaman kueri SPARQL", "en": "SPARQL query page"},
    "api_catalogue": {"id": "Katalog API pertanyaan", "en": "Question API catalogue"},
    "openapi": {"id": "Deskripsi OpenAPI", "en": "OpenAPI description"},
    "templates": {"id": "Templat", "en": "Templates"},
    "upload_page": {"id": "Halaman unggah dan periksa", "en": "Upload and validation page"},
    "submissions": {"id": "Daftar kiriman", "en": "Submissions"},
    "void": {"id": "Deskripsi dataset (VoID)", "en": "Dataset description (VoID)"},
    "endpoint": {"id": "Titik akhir SPARQL", "en": "SPARQL endpoint"},
    "ontology": {"id": "Ontologi", "en": "Ontology"},
    "dumps": {"id": "Unduhan data lengkap (dump)", "en": "Full data dumps"},
    "map": {"id": "Peta sentra", "en": "Map of sentra"},
    "map_missing": {"id": "{n} sentra belum memiliki koordinat dan tidak tampil.",
                    "en": "{n} sentra have no coordinates yet and are not shown."},
    "map_desc": {"id": "Titik sentra yang memiliki koordinat, diwarnai menurut provinsi.",
                 "en": "Sentra with coordinates, coloured by province."},
    "cooperation_areas": {"id": "Kawasan kerja sama", "en": "Cooperation areas"},
    "see_network": {"id": "lihat jaringan", "en": "see the network"},
    "all_questions": {"id": "Semua pertanyaan", "en": "All questions"},
    "question": {"id": "Pertanyaan", "en": "Question"},
    "parameters": {"id": "Parameter", "en": "Parameters"},
    "required": {"id": "wajib", "en": "required"},
    "optional_choice": {"id": "— (tidak ada) —", "en": "— (none) —"},
    "run": {"id": "Jalankan", "en": "Run"},
    "give_one_of": {"id": "Isi salah satu dari", "en": "Give one of"},
    "results": {"id": "Hasil", "en": "Results"},
    "rows": {"id": "baris", "en": "rows"},
    "more_rows": {"id": "Ada baris berikutnya", "en": "More rows follow"},
    "next_page": {"id": "Halaman berikutnya", "en": "Next page"},
    "download": {"id": "Unduh", "en": "Download"},
    "the_sparql": {"id": "Kueri SPARQL di balik pertanyaan ini", "en": "The SPARQL behind this question"},
    "bound_values": {"id": "Nilai yang diikat (sebagai term RDF)", "en": "Bound values (as RDF terms)"},
    "error": {"id": "Tidak dapat dijalankan", "en": "Could not run"},
    "pictures": {"id": "Gambar", "en": "Pictures"},
    "network": {"id": "Jaringan keterkaitan", "en": "Linkage network"},
    "network_desc": {"id": "{n} sentra dan {e} keterkaitan; {x} melintasi batas provinsi (garis putus-putus).",
                     "en": "{n} sentra and {e} linkages; {x} cross a province border (dashed lines)."},
    "colour_by": {"id": "Warna simpul menurut", "en": "Colour nodes by"},
    "kabupaten": {"id": "kabupaten/kota", "en": "kabupaten/kota"},
    "province": {"id": "provinsi", "en": "province"},
    "legend": {"id": "Keterangan", "en": "Legend"},
    "declared": {"id": "tercatat (garis tebal)", "en": "declared (thick line)"},
    "inferred": {"id": "potensial/disimpulkan (garis tipis)", "en": "potential/inferred (thin line)"},
    "cross_province": {"id": "lintas provinsi (putus-putus)", "en": "crosses a province border (dashed)"},
    "kind.product": {"id": "produk", "en": "product"},
    "kind.skill": {"id": "SDM / keterampilan", "en": "HR / skills"},
    "kind.technology": {"id": "teknologi produksi", "en": "production technology"},
    "kind.financing": {"id": "pembiayaan", "en": "financing"},
    "lq_chart": {"id": "Location quotient per wilayah", "en": "Location quotient per region"},
    "lq_desc": {"id": "Batang berwarna gelap: wilayah terspesialisasi (LQ di atas ambang {t}, garis tegak).",
                "en": "Dark bars: specialised regions (LQ above the threshold {t}, the vertical line)."},
    "units_chart": {"id": "Jumlah unit usaha per tahun", "en": "Producing units per year"},
    "units_desc": {"id": "Dari statistik sentra (RDF Data Cube); batang bergaris: angka ilustratif.",
                   "en": "From the sentra statistics (RDF Data Cube); hatched bars: illustrative figures."},
    "year": {"id": "tahun", "en": "year"},
    "units": {"id": "unit", "en": "units"},
    "yes": {"id": "ya", "en": "yes"},
    "no": {"id": "tidak", "en": "no"},
    "not_found": {"id": "Halaman tidak ditemukan", "en": "Page not found"},
    "footer": {"id": "Klaster — data terbuka. Kode sumber dan lisensi: lihat README.",
               "en": "Klaster — open data. Source code and licences: see the README."},
}

#: Readable column headers for the answers of the canned questions.
COLUMNS: dict[str, dict[str, str]] = {
    "sentra": {"id": "sentra", "en": "sentra"},
    "partner": {"id": "mitra", "en": "partner"},
    "partner_kabupaten_kota": {"id": "kabupaten/kota mitra", "en": "partner's kabupaten/kota"},
    "partner_province": {"id": "provinsi mitra", "en": "partner's province"},
    "partner_region_label": {"id": "wilayah mitra", "en": "partner's region"},
    "partner_membership_status": {"id": "status keanggotaan mitra", "en": "partner's membership"},
    "score": {"id": "skor", "en": "score"},
    "shared_count": {"id": "jumlah bersama", "en": "shared"},
    "shared_items": {"id": "yang dipakai bersama (bukti)", "en": "shared items (evidence)"},
    "crosses_kabupaten": {"id": "lintas kabupaten", "en": "crosses kabupaten"},
    "crosses_province": {"id": "lintas provinsi", "en": "crosses province"},
    "declared_link": {"id": "sudah tercatat", "en": "declared"},
    "direction": {"id": "arah", "en": "direction"},
    "kind": {"id": "jenis", "en": "kind"},
    "status": {"id": "status", "en": "status"},
    "other": {"id": "sentra lain", "en": "other sentra"},
    "linkage": {"id": "keterkaitan", "en": "linkage"},
    "evidence_strength": {"id": "kekuatan bukti", "en": "evidence strength"},
    "evidence_note": {"id": "catatan bukti", "en": "evidence note"},
    "source": {"id": "sumber", "en": "source"},
    "region": {"id": "wilayah", "en": "region"},
    "member_region": {"id": "wilayah anggota", "en": "member region"},
    "membership_status": {"id": "status keanggotaan", "en": "membership"},
    "period": {"id": "tahun", "en": "year"},
    "lq": {"id": "LQ", "en": "LQ"},
    "specialised": {"id": "terspesialisasi", "en": "specialised"},
    "resource": {"id": "sumber daya", "en": "resource"},
    "code": {"id": "kode", "en": "code"},
    "match": {"id": "kecocokan", "en": "match"},
    "located_in": {"id": "lokasi", "en": "located in"},
    "kabupaten_kota": {"id": "kabupaten/kota", "en": "kabupaten/kota"},
    "industry_codes": {"id": "kode KBLI", "en": "KBLI codes"},
    "industry": {"id": "industri (KBLI)", "en": "industry (KBLI)"},
    "industry_code": {"id": "kode KBLI", "en": "KBLI code"},
    "products": {"id": "produk", "en": "products"},
    "reached_sentra": {"id": "sentra yang dijangkau", "en": "sentra reached"},
    "intervention": {"id": "intervensi", "en": "intervention"},
    "programme": {"id": "program", "en": "programme"},
    "agency": {"id": "lembaga", "en": "agency"},
    "type": {"id": "jenis", "en": "type"},
    "year": {"id": "tahun", "en": "year"},
    "units_from": {"id": "unit awal", "en": "units (from)"},
    "units_to": {"id": "unit akhir", "en": "units (to)"},
    "growth": {"id": "pertumbuhan", "en": "growth"},
    "new_entry": {"id": "pendatang baru", "en": "new entry"},
}


def translator(lang: str) -> Callable[..., str]:
    """``t(key, **values)`` in ``lang``."""
    def t(key: str, **values: object) -> str:
        entry = TEXT.get(key)
        text = key if entry is None else entry.get(lang) or entry["id"]
        return text.format(**values) if values else text
    return t


def column_header(name: str, lang: str) -> str:
    entry = COLUMNS.get(name)
    return entry.get(lang, entry["id"]) if entry else name.replace("_", " ")
