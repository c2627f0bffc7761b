"""The reports the UI integration tests ingest before starting the server."""

SEED_SENTENCE = "Authorities rescued 358 victims, including 265 women."
SEED_REPORT = f"""# Seed Report on Rescues

## Victims

{SEED_SENTENCE} All of them were placed with their families or with shelters.

## Cases

Police opened 41 trafficking cases during the year.
"""

HOSTILE_SENTENCE = "The hostile shelter housed 77 children."
HOSTILE_REPORT = f"""Hostile <img src=x onerror=alert(1)> Report

Staff found <script>alert(1)</script> and <img src=x onerror=alert(1)> written on the wall. {HOSTILE_SENTENCE}
"""

# For the conversation tests: a measure stated for two years, and a part of it.
CHAT_CALLS_2022 = "The coastal helpline received 1,240 calls in 2022, compared with 980 calls in 2021."
CHAT_FORCED_LABOUR = "Of the calls received in 2022, 310 concerned forced labour on fishing boats."
CHAT_REPORT = f"""# Coastal Helpline Review 2022

## Calls

{CHAT_CALLS_2022} Most callers were relatives of crew members.

## Topics

{CHAT_FORCED_LABOUR} Others asked about wages and contracts.
"""

# A PDF whose cited sentence wraps over two printed lines on page 2 (for "See on page").
SURVEY_SENTENCE = ("Inspectors counted 4,212 beds across 96 shelters in 2023, up from the year before when "
                   "fewer were open.")


def write_survey_pdf(path) -> None:
    """A two-page PDF (fpdf2) with SURVEY_SENTENCE on page 2."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_title("Shelter Survey 2023")
    pdf.set_font("Helvetica", size=12)
    pdf.add_page()
    pdf.multi_cell(0, 8, "Shelter Survey 2023\n\nThis survey covers the shelters inspected during the year by the "
                         "provincial teams.")
    pdf.add_page()
    pdf.multi_cell(0, 8, f"Beds\n\nSome introduction text goes here. {SURVEY_SENTENCE} Other text follows on the "
                         "same page.")
    pdf.output(str(path))


# Two reports that disagree on one figure (a conflict), and the question that finds both.
CONFLICT_REPORTS = {
    "police-annual-2022.md": "# Police Annual Report 2022\n\n## Victims\n\nPolice identified 512 victims of "
                             "trafficking in 2022. Most were adults.\n",
    "ministry-review-2022.md": "# Ministry Review 2022\n\n## Victims\n\nPolice identified 498 victims of "
                               "trafficking in 2022. The ministry counted them by province.\n",
}
CONFLICT_QUESTION = "How many victims of trafficking did police identify in 2022?"
