/**
 * A small, strict XML reader for the one document headsup reads as XML: GitHub's releases Atom
 * feed. It builds a tree of elements and text and rejects anything malformed. It supports
 * elements, attributes, the five predefined entities, numeric character references, CDATA
 * sections, comments and processing instructions. Document type declarations are rejected, so no
 * entity can be defined or expanded; GitHub's feed has none.
 */

export interface XmlElement {
  /** The name as written, prefix included, e.g. `entry` or `media:thumbnail`. */
  name: string;
  attributes: Record<string, string>;
  children: XmlNode[];
}

/** A child of an element: an element, or decoded character data. */
export type XmlNode = XmlElement | string;

/** Malformed XML; `line` and `column` (1-based) point at the offending character. */
export class XmlSyntaxError extends Error {
  constructor(
    readonly reason: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(`${reason} at line ${line}, column ${column}`);
    this.name = 'XmlSyntaxError';
  }
}

const NAME = /[A-Za-z_][\w.:-]*/y;
const PREDEFINED_ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** Parses a whole document and returns its root element; throws XmlSyntaxError when it is not well-formed. */
export function parseXml(text: string): XmlElement {
  return new XmlReader(text).readDocument();
}

/** Decodes the predefined entities and numeric character references in `raw`; throws on any other `&`. */
export function decodeXmlEntities(raw: string): string {
  return new XmlReader(raw).decode(raw, 0);
}

/** Concatenates the text of an element and its descendants, in document order. */
export function textContent(element: XmlElement): string {
  const parts: string[] = [];
  const pending: XmlNode[] = [...element.children].reverse();
  while (pending.length > 0) {
    const node = pending.pop()!;
    if (typeof node === 'string') parts.push(node);
    else for (let index = node.children.length - 1; index >= 0; index--) pending.push(node.children[index]!);
  }
  return parts.join('');
}

/** Lists the direct children of `element` named `name`. */
export function childElements(element: XmlElement, name: string): XmlElement[] {
  return element.children.filter((child): child is XmlElement => typeof child !== 'string' && child.name === name);
}

class XmlReader {
  private position = 0;

  constructor(private readonly text: string) {}

  readDocument(): XmlElement {
    if (this.text.startsWith('\uFEFF')) this.position = 1;
    this.skipMisc();
    if (this.text.startsWith('<!DOCTYPE', this.position)) this.fail('document type declarations are not supported');
    if (this.text[this.position] !== '<') this.fail(this.position >= this.text.length ? 'empty document' : 'text before the root element');

    const root = this.readElement();
    this.skipMisc();
    if (this.position < this.text.length) this.fail('content after the root element');
    return root;
  }

  /** Reads an element and everything inside it without recursion, so deep nesting cannot overflow the stack. */
  private readElement(): XmlElement {
    const root = this.readStartTag();
    if (root.selfClosing) return root.element;

    const open: XmlElement[] = [root.element];
    while (open.length > 0) {
      const current = open.at(-1)!;
      if (this.position >= this.text.length) this.fail(`missing end tag </${current.name}>`);

      if (this.text.startsWith('</', this.position)) {
        this.readEndTag(current.name);
        open.pop();
      } else if (this.text.startsWith('<!--', this.position)) {
        this.skipComment();
      } else if (this.text.startsWith('<![CDATA[', this.position)) {
        this.appendText(current, this.readCdata());
      } else if (this.text.startsWith('<?', this.position)) {
        this.skipProcessingInstruction();
      } else if (this.text.startsWith('<!', this.position)) {
        this.fail('unexpected markup declaration');
      } else if (this.text[this.position] === '<') {
        const child = this.readStartTag();
        current.children.push(child.element);
        if (!child.selfClosing) open.push(child.element);
      } else {
        this.appendText(current, this.readText());
      }
    }
    return root.element;
  }

  private readStartTag(): { element: XmlElement; selfClosing: boolean } {
    this.position += 1;
    const element: XmlElement = { name: this.readName('element name'), attributes: {}, children: [] };

    for (;;) {
      const hadSpace = this.skipSpace();
      if (this.text.startsWith('/>', this.position)) {
        this.position += 2;
        return { element, selfClosing: true };
      }
      if (this.text[this.position] === '>') {
        this.position += 1;
        return { element, selfClosing: false };
      }
      if (!hadSpace) this.fail(`expected whitespace, ">" or "/>" in <${element.name}>`);
      this.readAttribute(element);
    }
  }

  private readAttribute(element: XmlElement): void {
    const name = this.readName(`attribute name in <${element.name}>`);
    if (Object.hasOwn(element.attributes, name)) this.fail(`duplicate attribute ${name} in <${element.name}>`);

    this.skipSpace();
    this.expect('=');
    this.skipSpace();
    const quote = this.text[this.position];
    if (quote !== '"' && quote !== "'") this.fail(`attribute ${name} of <${element.name}> is not quoted`);

    const start = this.position + 1;
    const end = this.text.indexOf(quote, start);
    if (end < 0) this.fail(`unterminated value of attribute ${name}`);
    const raw = this.text.slice(start, end);
    if (raw.includes('<')) this.fail(`"<" in the value of attribute ${name}`);

    element.attributes[name] = this.decode(raw, start);
    this.position = end + 1;
  }

  private readEndTag(expected: string): void {
    this.position += 2;
    const name = this.readName('end tag name');
    if (name !== expected) this.fail(`end tag </${name}> does not match <${expected}>`);

    this.skipSpace();
    this.expect('>');
  }

  private readText(): string {
    const start = this.position;
    const end = this.text.indexOf('<', start);
    this.position = end < 0 ? this.text.length : end;

    const raw = this.text.slice(start, this.position);
    if (raw.includes(']]>')) this.fail('"]]>" in character data', start + raw.indexOf(']]>'));
    return this.decode(raw, start);
  }

  private readCdata(): string {
    const start = this.position + '<![CDATA['.length;
    const end = this.text.indexOf(']]>', start);
    if (end < 0) this.fail('unterminated CDATA section');

    this.position = end + 3;
    return this.text.slice(start, end);
  }

  /** Skips whitespace, comments and processing instructions, the only things allowed around the root. */
  private skipMisc(): void {
    for (;;) {
      this.skipSpace();
      if (this.text.startsWith('<!--', this.position)) this.skipComment();
      else if (this.text.startsWith('<?', this.position)) this.skipProcessingInstruction();
      else return;
    }
  }

  private skipComment(): void {
    const end = this.text.indexOf('-->', this.position + 4);
    if (end < 0) this.fail('unterminated comment');
    this.position = end + 3;
  }

  private skipProcessingInstruction(): void {
    const end = this.text.indexOf('?>', this.position + 2);
    if (end < 0) this.fail('unterminated processing instruction');
    this.position = end + 2;
  }

  private skipSpace(): boolean {
    const start = this.position;
    while (/[ \t\r\n]/.test(this.text[this.position] ?? '')) this.position += 1;
    return this.position > start;
  }

  private readName(expected: string): string {
    NAME.lastIndex = this.position;
    const match = NAME.exec(this.text);
    if (!match) this.fail(`expected ${expected}`);

    this.position += match[0].length;
    return match[0];
  }

  private expect(character: string): void {
    if (this.text[this.position] !== character) this.fail(`expected "${character}"`);
    this.position += 1;
  }

  private appendText(element: XmlElement, text: string): void {
    const last = element.children.at(-1);
    if (typeof last === 'string') element.children[element.children.length - 1] = last + text;
    else if (text !== '') element.children.push(text);
  }

  /** Decodes entity and character references in `raw`, which starts at `offset` of the document (for error positions). */
  decode(raw: string, offset: number): string {
    return raw.replace(/&([^;&<\s]*);?/g, (reference: string, body: string, index: number) => {
      if (!reference.endsWith(';')) this.fail(`"&" that does not start an entity reference`, offset + index);

      const decoded = decodeReference(body);
      if (decoded === null) this.fail(`unknown or invalid entity reference "${reference}"`, offset + index);
      return decoded;
    });
  }

  private fail(reason: string, at = this.position): never {
    const before = this.text.slice(0, at);
    const line = before.split('\n').length;
    const column = at - before.lastIndexOf('\n');
    throw new XmlSyntaxError(reason, line, column);
  }
}

/** Decodes `lt`, `#60` or `#x3C` to its character; null for undefined entities and code points XML does not allow. */
function decodeReference(body: string): string | null {
  if (Object.hasOwn(PREDEFINED_ENTITIES, body)) return PREDEFINED_ENTITIES[body]!;

  const numeric = /^#(?:x([0-9A-Fa-f]{1,6})|(\d{1,7}))$/.exec(body);
  if (!numeric) return null;

  const codePoint = numeric[1] !== undefined ? Number.parseInt(numeric[1], 16) : Number(numeric[2]);
  return isXmlChar(codePoint) ? String.fromCodePoint(codePoint) : null;
}

/** The `Char` production of XML 1.0: tab, newline, carriage return and the ranges without surrogates and U+FFFE/U+FFFF. */
function isXmlChar(codePoint: number): boolean {
  return (
    codePoint === 0x9 ||
    codePoint === 0xa ||
    codePoint === 0xd ||
    (codePoint >= 0x20 && codePoint <= 0xd7ff) ||
    (codePoint >= 0xe000 && codePoint <= 0xfffd) ||
    (codePoint >= 0x10000 && codePoint <= 0x10ffff)
  );
}
