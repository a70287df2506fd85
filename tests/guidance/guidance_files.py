"""Tiny PDF, DOCX and HTML files made on the fly for ingestion tests."""

from __future__ import annotations

from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures"
FIXTURE_CORPUS = FIXTURES / "corpus"


def write_pdf(path: Path, pages: list[list[str]], title: str | None = None) -> Path:
    """A minimal valid PDF (Helvetica, ASCII text), one text line per entry; enough for pypdf to extract."""
    objects: list[bytes] = []
    page_ids = [4 + 2 * i for i in range(len(pages))]
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    kids = " ".join(f"{pid} 0 R" for pid in page_ids)
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>".encode())
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    for lines in pages:
        ops = ["BT", "/F1 11 Tf", "14 TL", "50 780 Td"]
        for line in lines:
            escaped = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
            ops.append(f"({escaped}) Tj T*")
        ops.append("ET")
        stream = "\n".join(ops).encode()
        page_no = len(objects) + 1
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> "
            f"/Contents {page_no + 1} 0 R >>".encode()
        )
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    info_id = None
    if title:
        objects.append(f"<< /Title ({title}) >>".encode())
        info_id = len(objects)
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    trailer = f"<< /Size {len(objects) + 1} /Root 1 0 R" + (f" /Info {info_id} 0 R" if info_id else "") + " >>"
    out += f"trailer\n{trailer}\nstartxref\n{xref}\n%%EOF\n".encode()
    path.write_bytes(bytes(out))
    return path


def write_docx(path: Path) -> Path:
    import docx

    document = docx.Document()
    document.core_properties.title = "废水排放管理指引"
    document.add_heading("废水排放管理指引", level=0)
    document.add_heading("1 排放标准", level=1)
    document.add_paragraph("电镀企业的废水执行 GB 21900-2008，第一类污染物在车间排放口监控。")
    document.add_paragraph("依据：GB 21900-2008《电镀污染物排放标准》")
    document.add_heading("1.1 监测频次", level=2)
    document.add_paragraph("化学需氧量每月至少监测一次。")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "污染物"
    table.cell(0, 1).text = "限值"
    table.cell(1, 0).text = "总铬"
    table.cell(1, 1).text = "0.5 mg/L"
    document.save(str(path))
    return path


def write_html(path: Path) -> Path:
    path.write_text(
        """<!doctype html><html lang="en"><head><title>Noise Guideline</title>
<style>p { color: red }</style><script>var secret = 1;</script></head>
<body><h1>Noise Guideline</h1>
<h2>1 Boundary noise</h2><p>Boundary noise is measured by day and by night.</p>
<ul><li>Night limits are lower than day limits.</li></ul>
<p>Source: GB 12348-2008</p>
<h2>2 Records</h2><h3>2.1 Keeping records</h3><p>Keep the monitoring records for three years.</p>
<table><tr><th>Period</th><th>Limit</th></tr><tr><td>Night</td><td>50 dB</td></tr></table>
</body></html>""",
        encoding="utf-8",
    )
    return path
