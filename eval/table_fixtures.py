"""Generated reports with tables, one per format, for the table tests and `eval/gold/tables.jsonl`.

`write_fixtures(folder)` writes them (fpdf2, python-docx, openpyxl, plain HTML and CSV);
nothing here is read from disk, so the files are the same on every machine. The figures
are invented for testing and written once here; the gold file asks about them.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

YEARS = ["2020", "2021", "2022"]
# Ruled PDF: a small yearly table whose indented rows sit under "Victims rescued".
RULED_ROWS = [
    ("Victims rescued", ["412", "358", "517"]),
    ("of whom women", ["301", "265", "344"]),
    ("of whom children", ["88", "61", "97"]),
    ("Cases investigated", ["166", "359", "240"]),
    ("Suspects arrested", ["203", "187", "295"]),
]
# Borderless PDF: whitespace-aligned columns, no lines.
BORDERLESS_ROWS = [
    ("Shelter admissions", ["1,204", "1,388", "1,510"]),
    ("Family reunifications", ["640", "702", "815"]),
    ("Hotline calls", ["9,870", "11,245", "12,031"]),
    ("Vocational graduates", ["312", "290", "347"]),
]
_SYLLABLES = ["ba", "ko", "ri", "sa", "te", "lu", "mo", "ne", "di", "fa"]
# Invented names ("Province Bako"), two syllables and an ending: 70 distinct one-word names.
PROVINCES = [f"Province {(_SYLLABLES[i // 10] + _SYLLABLES[i % 10] + 'nrl'[i % 3]).capitalize()}" for i in range(70)]


def province_budget(i: int) -> tuple[int, int]:
    """Budget of the i-th province in 2021 and 2022 (US$ thousand): fixed, varied figures."""
    return 100 + (i * 37) % 250, 110 + (i * 53) % 270


def _pdf(title: str):
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_title(title)
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    return pdf


def ruled_pdf() -> bytes:
    """A ruled table with a caption stating the table's subject, prose above and below."""
    pdf = _pdf("Counter-trafficking results 2020-2022")
    pdf.multi_cell(0, 6, "Counter-trafficking results 2020-2022\n\nThe national committee reports its "
                         "yearly results below. Figures are persons unless stated otherwise.")
    pdf.ln(4)
    pdf.multi_cell(0, 6, "Table 1. Victims, cases and suspects by year")
    with pdf.table(col_widths=(70, 30, 30, 30), text_align=("LEFT", "RIGHT", "RIGHT", "RIGHT")) as table:
        table.row(["Indicator", *YEARS])
        for label, values in RULED_ROWS:
            shown = ("    " + label) if label.startswith("of whom") else label
            table.row([shown, *values])
    pdf.ln(4)
    pdf.multi_cell(0, 6, "The committee notes that rescues rose again in 2022 after a fall in 2021.")
    return bytes(pdf.output())


def borderless_pdf() -> bytes:
    """A whitespace-aligned table (no rules) between two paragraphs."""
    pdf = _pdf("Shelter network annual summary")
    pdf.multi_cell(0, 6, "Shelter network annual summary\n\nThe shelters served more people each year. "
                         "The table below gives the main services.")
    pdf.ln(4)
    x = pdf.l_margin
    pdf.set_x(x)
    for label, values in [("Service", YEARS)] + BORDERLESS_ROWS:
        pdf.set_x(x)
        pdf.cell(80, 7, label)
        for v in values:
            pdf.cell(30, 7, v, align="R")
        pdf.ln(7)
    pdf.ln(4)
    pdf.multi_cell(0, 6, "Reunifications depend on family tracing, which improved with the new database.")
    return bytes(pdf.output())


def multipage_pdf() -> bytes:
    """A ruled table over several pages, its header repeated on each, with a caption stating its scale."""
    pdf = _pdf("Provincial budgets")
    pdf.multi_cell(0, 6, "Provincial budgets\n\nTable 2. Protection budget by province (US$ thousand)")
    with pdf.table(col_widths=(80, 40, 40), text_align=("LEFT", "RIGHT", "RIGHT"), repeat_headings=1) as table:
        table.row(["Province", "2021", "2022"])
        for i, name in enumerate(PROVINCES):
            a, b = province_budget(i)
            table.row([name, str(a), str(b)])
    return bytes(pdf.output())


def docx_report() -> bytes:
    """A Word report whose table has a merged header cell over two years."""
    import docx

    d = docx.Document()
    d.add_heading("Hotline report 2022", level=1)
    d.add_paragraph("The hotline answered calls and messages in three languages.")
    d.add_paragraph("Table 3. Contacts by channel")
    t = d.add_table(rows=5, cols=3)
    top = t.cell(0, 1).merge(t.cell(0, 2))
    top.text = "Contacts"
    t.cell(0, 0).text = "Channel"
    t.cell(1, 1).text = "2021"
    t.cell(1, 2).text = "2022"
    for r, (label, a, b) in enumerate([("Phone calls", "4,310", "5,120"), ("Text messages", "1,870", "2,645"),
                                       ("Walk-ins", "233", "198")], start=2):
        t.cell(r, 0).text = label
        t.cell(r, 1).text = a
        t.cell(r, 2).text = b
    d.add_paragraph("Walk-ins fell because the office moved.")
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


HTML = """<!doctype html><html><head><title>Regional prosecutions</title></head><body>
<h1>Regional prosecutions</h1>
<p>Prosecutions and convictions reported by the three regional courts.</p>
<table>
<caption>Table 4. Prosecutions and convictions by region</caption>
<thead>
<tr><th rowspan="2">Region</th><th colspan="2">Prosecutions</th><th colspan="2">Convictions</th></tr>
<tr><th>2021</th><th>2022</th><th>2021</th><th>2022</th></tr>
</thead>
<tbody>
<tr><td>North</td><td>54</td><td>61</td><td>31</td><td>40</td></tr>
<tr><td>Centre</td><td>88</td><td>97</td><td>52</td><td>66</td></tr>
<tr><td>South</td><td>47</td><td>39</td><td>25</td><td>22</td></tr>
<tr><td>Total</td><td>189</td><td>197</td><td>108</td><td>128</td></tr>
</tbody></table>
<p>Convictions rose in the north and the centre.</p>
</body></html>
"""

CSV_ROWS = [
    ["District", "Labour inspections", "Violations found", "Fines (USD)"],
    ["Riverside", "120", "34", "15,300"],
    ["Hillview", "85", "19", "8,250"],
    ["Lakeshore", "143", "41", "20,900"],
    ["Old Town", "61", "12", "4,100"],
]


def csv_report() -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(CSV_ROWS)
    return out.getvalue().encode()


def xlsx_report() -> bytes:
    """A workbook: a sheet of figures with a total computed by formula (value cached), and an empty sheet."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Repatriations"
    sheet.append(["Destination country", "2021", "2022"])
    data = [("Thailand", 1250, 1410), ("Malaysia", 640, 702), ("Vietnam", 310, 288)]
    for row in data:
        sheet.append(list(row))
    sheet.append(["Total", "=SUM(B2:B4)", "=SUM(C2:C4)"])
    book.create_sheet("Notes")  # left empty on purpose
    out = io.BytesIO()
    book.save(out)
    return _with_cached_values(out.getvalue(), {"B5": sum(r[1] for r in data), "C5": sum(r[2] for r in data)})


def _with_cached_values(xlsx: bytes, values: dict[str, int]) -> bytes:
    """Store formula results in the file, as Excel does when it saves (openpyxl itself never computes them)."""
    import re
    import zipfile

    src = zipfile.ZipFile(io.BytesIO(xlsx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                xml = data.decode()
                for ref, value in values.items():
                    xml = re.sub(rf'(<c r="{ref}"[^>]*>)(<f>[^<]*</f>)(<v>[^<]*</v>|<v\s*/>)?',
                                 rf"\1\2<v>{value}</v>", xml)
                data = xml.encode()
            dst.writestr(item, data)
    return out.getvalue()


FIXTURES = {
    "ruled-results.pdf": ruled_pdf,
    "shelter-borderless.pdf": borderless_pdf,
    "province-budgets.pdf": multipage_pdf,
    "hotline-report.docx": docx_report,
    "regional-prosecutions.html": lambda: HTML.encode(),
    "labour-inspections.csv": csv_report,
    "repatriations.xlsx": xlsx_report,
}


def write_fixtures(folder: Path) -> list[Path]:
    """Write every table fixture into `folder`; returns their paths."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, make in FIXTURES.items():
        path = folder / name
        path.write_bytes(make())
        paths.append(path)
    return paths


if __name__ == "__main__":  # python -m eval.table_fixtures DIR
    import sys

    for p in write_fixtures(Path(sys.argv[1] if len(sys.argv) > 1 else "table-fixtures")):
        print(p)
