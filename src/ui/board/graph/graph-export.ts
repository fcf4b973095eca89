// The graph as a standalone SVG or PNG file: the drawing cloned with its computed
// styles inlined (theme variables resolved), framed to the whole layout.

const STYLE_PROPS = [
  'fill',
  'fill-opacity',
  'stroke',
  'stroke-width',
  'stroke-opacity',
  'stroke-dasharray',
  'opacity',
  'font-family',
  'font-size',
  'font-weight',
  'font-style',
  'display',
  'visibility',
  'paint-order',
  'text-anchor',
];

function inlineStyles(source: Element, target: Element): void {
  const computed = getComputedStyle(source);
  const style = STYLE_PROPS.map((p) => `${p}:${computed.getPropertyValue(p)}`).join(';');
  target.setAttribute('style', style);
  for (let i = 0; i < source.children.length; i++) inlineStyles(source.children[i], target.children[i]);
}

/** SVG text of the graph drawn in `svg`, cropped to a width × height layout plus a margin. */
export function standaloneSvg(svg: SVGSVGElement, width: number, height: number, margin = 24): string {
  const clone = svg.cloneNode(true) as SVGSVGElement;
  inlineStyles(svg, clone);
  const viewport = clone.querySelector('.viewport');
  viewport?.setAttribute('transform', `translate(${margin},${margin})`);
  const w = Math.ceil(width + 2 * margin),
    h = Math.ceil(height + 2 * margin);
  clone.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  clone.setAttribute('width', String(w));
  clone.setAttribute('height', String(h));
  clone.setAttribute('viewBox', `0 0 ${w} ${h}`);
  const bg = document.createElementNS('http://www.w3.org/2000/svg', 'rect');
  bg.setAttribute('width', '100%');
  bg.setAttribute('height', '100%');
  bg.setAttribute('fill', getComputedStyle(svg).getPropertyValue('--canvas').trim() || '#ffffff');
  clone.insertBefore(bg, clone.firstChild);
  stripActiveContent(clone);
  return new XMLSerializer().serializeToString(clone);
}

/**
 * Belt and braces for a file opened on its own: the drawing is made of text nodes only,
 * but nothing scriptable may leave even if that changes — no script or foreign HTML, no
 * event-handler attributes, no links.
 */
export function stripActiveContent(root: Element): void {
  for (const el of [...root.querySelectorAll('script, foreignObject, iframe, object, embed, a, use[href^="http"]')])
    el.remove();
  for (const el of [root, ...root.querySelectorAll('*')]) {
    for (const attr of [...el.attributes]) {
      const name = attr.name.toLowerCase();
      if (name.startsWith('on') || ((name === 'href' || name === 'xlink:href') && !attr.value.startsWith('#')))
        el.removeAttribute(attr.name);
    }
  }
}

/** The SVG rendered to a PNG at `scale`× its size. */
export async function svgToPng(svgText: string, scale = 2): Promise<Blob> {
  const url = URL.createObjectURL(new Blob([svgText], { type: 'image/svg+xml' }));
  try {
    const img = new Image();
    img.src = url;
    await img.decode();
    const canvas = document.createElement('canvas');
    canvas.width = Math.ceil(img.width * scale);
    canvas.height = Math.ceil(img.height * scale);
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('this browser cannot draw to a canvas');
    ctx.scale(scale, scale);
    ctx.drawImage(img, 0, 0);
    return await new Promise<Blob>((resolve, reject) =>
      canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('PNG encoding failed'))), 'image/png'),
    );
  } finally {
    URL.revokeObjectURL(url);
  }
}
