"""Dates and times as staff screens write them: "30 Nov 2026, 14:05", nothing else.

Django's English default ("Nov. 30, 2026, 2:05 p.m.") is what the admin shows for any
date it formats itself (list columns, history, read-only fields). With this module on
FORMAT_MODULE_PATH those match core/staff_display.py, so a staff page has one date
format. Public pages always give their format explicitly and are not affected. Input
formats are left to Django, so the admin's date pickers keep working.
"""

DATE_FORMAT = "d M Y"
DATETIME_FORMAT = "d M Y, H:i"
TIME_FORMAT = "H:i"
SHORT_DATE_FORMAT = "d M Y"
SHORT_DATETIME_FORMAT = "d M Y, H:i"
