"""Instruments turned into forms and documentation: codebooks and XLSForms."""

from ._codebook import CODEBOOK_COLUMNS, codebook, write_codebook
from ._xlsform import xlsform_sheets, write_xlsform

__all__ = ["CODEBOOK_COLUMNS", "codebook", "write_codebook", "xlsform_sheets", "write_xlsform"]
