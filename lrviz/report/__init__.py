"""What the terminal and files show: tables, the terminal chart, JSON/CSV export, --code."""
