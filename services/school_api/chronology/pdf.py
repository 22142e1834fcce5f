"""The chronology as a PDF, drawn with fpdf2: a maintained, pure-Python library, so no browser or
system tool is needed at run time. It uses the PDF core fonts (no font files to ship), which hold
Latin-1 only: any other character is printed as "?" rather than refused."""
from __future__ import annotations

from datetime import datetime

from fpdf import FPDF

from services.school_api.chronology.schemas import Chronology
from services.school_api.chronology.words import words

WIDTHS = (10, 38, 177, 52)  # #, when, what happened, by: millimetres of an A4 landscape page less margins


def _latin1(text: str) -> str:
    return text.replace("\u2019", "'").replace("\u2013", "-").replace("\u2014", "-").encode("latin-1", "replace").decode("latin-1")


def _when(value: datetime) -> str:
    return value.strftime("%d %b %Y %H:%M UTC")


def render_pdf(chronology: Chronology, printed_at: datetime) -> bytes:
    incident = chronology.incident
    pdf = FPDF(orientation="landscape", format="A4")
    pdf.set_margins(12, 12, 12)
    pdf.set_auto_page_break(auto=True, margin=12)
    pdf.set_title(_latin1(f"Chronology {incident.reference}"))
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 10)
    pdf.cell(0, 6, "OFFICIAL-SENSITIVE: child protection record", border=1, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font("Helvetica", "B", 15)
    pdf.cell(0, 8, _latin1(f"Safeguarding chronology: incident {incident.reference}"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 9)
    pdf.multi_cell(
        0, 5,
        _latin1(
            f"School URN {incident.school_urn}. Status: {words(incident.status)}. Disclosed {_when(incident.disclosed_at)}. "
            f"Printed {_when(printed_at)}. For the case conference only; do not copy. Entries are in the order things happened."
        ),
        new_x="LMARGIN", new_y="NEXT",
    )
    pdf.ln(2)
    with pdf.table(col_widths=WIDTHS, line_height=4.5, text_align="LEFT", repeat_headings=1) as table:
        pdf.set_font("Helvetica", "B", 9)
        table.row(["#", "When it happened", "What happened", "By"])
        pdf.set_font("Helvetica", "", 8.5)
        for entry in chronology.entries:
            body = "\n".join([entry.summary, *(f"{line.label}: {line.text}" for line in entry.lines)])
            table.row([
                str(entry.sequence),
                _latin1(f"{_when(entry.occurred_at)}\nrecorded {_when(entry.recorded_at)}"),
                _latin1(body),
                _latin1(entry.by or ""),
            ])
    return bytes(pdf.output())
