// A strict RFC 4180 parser for the tests: what a reader of seep's CSV files does with them.
// Fields are separated by commas and records by CRLF or LF; a quoted field may hold
// commas, line breaks and quotes (doubled). It throws where a lenient reader would guess:
// a quote inside an unquoted field, text after a closing quote, an unclosed quote, or a
// record whose field count differs from the header's.

/** The records of `text`, each a list of fields; the header is the first. */
export function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let i = 0;
  const n = text.length;
  if (n === 0) return records;
  for (;;) {
    let field = "";
    if (text[i] === '"') {
      i++;
      for (;;) {
        if (i >= n) throw new Error(`csv: a quoted field is not closed (record ${records.length + 1})`);
        const c = text[i];
        if (c === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
          } else {
            i++;
            break;
          }
        } else {
          field += c;
          i++;
        }
      }
      if (i < n && text[i] !== "," && text[i] !== "\n" && text[i] !== "\r")
        throw new Error(`csv: text after a closing quote (record ${records.length + 1})`);
    } else {
      while (i < n && text[i] !== "," && text[i] !== "\n" && text[i] !== "\r") {
        if (text[i] === '"')
          throw new Error(`csv: a quote in an unquoted field (record ${records.length + 1})`);
        field += text[i++];
      }
    }
    record.push(field);
    if (i >= n) {
      records.push(record);
      break;
    }
    if (text[i] === ",") {
      i++;
      continue;
    }
    // A record ends: CRLF or LF.
    if (text[i] === "\r") {
      if (text[i + 1] !== "\n") throw new Error(`csv: a bare CR (record ${records.length + 1})`);
      i++;
    }
    i++;
    records.push(record);
    record = [];
    if (i >= n) break;
  }
  const width = records[0].length;
  records.forEach((r, k) => {
    if (r.length !== width)
      throw new Error(`csv: record ${k + 1} has ${r.length} fields, the header ${width}`);
  });
  return records;
}

/** The records of `text` after its header, as objects keyed by the header's names. */
export function csvObjects(text: string): Record<string, string>[] {
  const [header, ...rows] = parseCsv(text);
  return rows.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i]])));
}
