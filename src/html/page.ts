/** Escapes text for HTML content and attribute values. */
export function esc(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/**
 * A self-contained HTML document as the product's pages are printed (the Integration Map, the health report, the
 * quarterly review): inline CSS, no script, no font, no request to anywhere.
 */
export function htmlPage(page: { title: string; intro: string; sections: readonly string[]; css: string }): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(page.title)}</title>
<style>${page.css}</style>
</head>
<body>
<header>
  <h1>${esc(page.title)}</h1>
  ${page.intro}
</header>
${page.sections.join('\n')}
</body>
</html>
`;
}
