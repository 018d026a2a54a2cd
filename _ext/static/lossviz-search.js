// The search page: rank a loss's own section first, and show snippets in plain words.
// Loaded on search.html only (_ext/search_tuning.py), after Sphinx 7.4's searchtools.js.
"use strict";

(() => {
  if (typeof Search === "undefined") return;

  // A section whose title contains the whole query ("Focal loss" for "focal loss")
  // ranks above any page that merely contains the words; shorter titles first, so
  // "Dice loss" comes before "Training a mask with the Dice loss".
  const SECTION_TITLE = 40;
  const sphinxSearch = Search._performSearch;
  Search._performSearch = (query, ...rest) => {
    const results = sphinxSearch(query, ...rest);
    const index = Search._index;
    const wanted = query.toLowerCase().trim();
    for (const [title, places] of Object.entries(index.alltitles)) {
      if (!title.toLowerCase().includes(wanted)) continue;
      const score = SECTION_TITLE + Math.round((10 * wanted.length) / title.length);
      for (const [file, id] of places) {
        const anchor = id ? "#" + id : "";
        const pageTitle = index.titles[file];
        const shown = pageTitle === title ? title : `${pageTitle} > ${title}`;
        const key = index.docnames[file] + anchor;
        const existing = results.find((r) => r[0] + r[2] === key);
        if (existing) existing[4] = Math.max(existing[4], score);
        else results.push([index.docnames[file], shown, anchor, null, score, index.filenames[file]]);
      }
    }
    // searchtools displays from the end of the list: best last, ties by title
    results.sort((a, b) => a[4] - b[4] || (a[1].toLowerCase() > b[1].toLowerCase() ? -1 : 1));
    return results;
  };

  // Inline TeX in a snippet as a reader would say it: \delta -> δ, \hat y -> ŷ.
  const GREEK = {alpha: "α", beta: "β", gamma: "γ", delta: "δ", epsilon: "ε", varepsilon: "ε",
    theta: "θ", lambda: "λ", mu: "μ", pi: "π", rho: "ρ", sigma: "σ", tau: "τ", phi: "φ",
    ell: "ℓ", infty: "∞", cdot: "·", times: "×", le: "≤", leq: "≤", ge: "≥", geq: "≥",
    to: "→", in: "∈", approx: "≈", ne: "≠", sum: "Σ", log: "log", exp: "exp", max: "max",
    min: "min", cap: "∩", cup: "∪", prod: "Π", partial: "∂", nabla: "∇", sqrt: "√",
    cdots: "⋯", ldots: "…", dots: "…", mid: "|", neq: "≠", pm: "±", sim: "∼"};
  const plainTeX = (tex) => tex
    .replace(/^\\\(|\\\)$/g, "")
    .replace(/\\hat\s*\{?\s*(\w)\s*\}?/g, "$1\u0302")
    .replace(/\\(?:mathrm|text|mathbf|operatorname|tfrac|frac|left|right|big|Big|,|;|!|quad|qquad)\b/g, " ")
    .replace(/\\([A-Za-z]+)/g, (m, name) => GREEK[name] ?? "")
    .replace(/[{}]/g, "")
    .replace(/\s+/g, " ")
    .trim();

  // Snippets from the article only (not the page's buttons or its "Contents" list),
  // without display equations, code cells or outputs.
  Search.htmlToText = (htmlString, anchor) => {
    const doc = new DOMParser().parseFromString(htmlString, "text/html");
    const article = doc.querySelector('[role="main"] article') || doc.querySelector('[role="main"]');
    if (!article) return "";
    const scope = (anchor && article.querySelector(anchor)) || article;
    scope.querySelectorAll(".headerlink, script, style, div.math, div.cell_input, div.cell_output, "
                           + "details.hide, div.highlight").forEach((el) => el.remove());
    scope.querySelectorAll("span.math").forEach((el) => el.replaceWith(plainTeX(el.textContent)));
    return scope.textContent.replace(/\s+/g, " ").trim();
  };
})();
