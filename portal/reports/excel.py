"""The report's Excel round trip: the template to download, its import and the export of accepted reports.

Writing lives in excel_template, reading in excel_import; callers import from here.
"""

from portal.reports.excel_import import ImportResult, Problem, read_workbook
from portal.reports.excel_template import Labels, build_workbook, export_workbook, neutralise

__all__ = ["ImportResult", "Labels", "Problem", "build_workbook", "export_workbook", "neutralise", "read_workbook"]
