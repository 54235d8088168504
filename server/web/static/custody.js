// The print button of the custody page (a file, since the CSP forbids inline scripts).
for (const button of document.querySelectorAll('[data-print]')) {
  button.addEventListener('click', () => window.print());
}
