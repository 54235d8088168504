"""Server-rendered pages: public tracking, printable records, the PWA shell."""
