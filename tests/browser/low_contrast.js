// What text on the page is hard to read: WCAG 2.x contrast (relative luminance) between each visible text and what
// is behind it, below 4.5:1, or 3:1 for large text (24 px, or 18.66 px bold). Run by tests/browser/test_contrast.py.
() => {
  const parse = (c) => {
    const m = c.match(/[\d.]+/g).map(Number);
    return [m[0], m[1], m[2], m.length > 3 ? m[3] : 1];
  };
  const over = (top, bottom) => {
    const a = top[3];
    return [0, 1, 2].map((i) => top[i] * a + bottom[i] * (1 - a)).concat([1]);
  };
  const luminance = (c) => {
    const [r, g, b] = c.slice(0, 3).map((v) => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const ratio = (a, b) => {
    const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
    return (x + 0.05) / (y + 0.05);
  };
  // What is behind an element: its background and its ancestors', blended down to the first opaque one (white
  // at the root). null when an image or gradient is in the way: its colour cannot be read.
  const backdrop = (element) => {
    const layers = [];
    for (let e = element; e; e = e.parentElement) {
      const style = getComputedStyle(e);
      if (style.backgroundImage !== "none") return null;
      const colour = parse(style.backgroundColor);
      if (colour[3] > 0) layers.push(colour);
      if (colour[3] >= 1) break;
    }
    return layers.reverse().reduce((below, layer) => over(layer, below), [255, 255, 255, 1]);
  };
  const offenders = new Map();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const element = node.parentElement;
    if (!node.textContent.trim() || !element) continue;
    const style = getComputedStyle(element);
    const box = element.getBoundingClientRect();
    if (style.visibility !== "visible" || Number(style.opacity) === 0 || box.width <= 1 || box.height <= 1) continue;
    if (!element.getClientRects().length) continue;
    if (element.closest("[hidden], [aria-hidden=true], option, script, style, noscript")) continue;
    // WCAG exempts what cannot be used: a disabled control's text.
    if (element.closest(":disabled, .disabled, [aria-disabled=true]")) continue;
    const behind = backdrop(element);
    if (!behind) continue;
    const text = over(parse(style.color), behind);
    const size = parseFloat(style.fontSize);
    const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
    const found = ratio(text, behind);
    if (found < (large ? 3 : 4.5)) {
      const where = element.tagName.toLowerCase() + [...element.classList].map((c) => "." + c).join("");
      const key = `${where} ${style.color} on ${behind.slice(0, 3)}`;
      const sample = node.textContent.trim().slice(0, 40);
      if (!offenders.has(key)) offenders.set(key, `${found.toFixed(2)}:1 "${sample}" ${key}`);
    }
  }
  return [...offenders.values()];
}
