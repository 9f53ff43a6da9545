// Exact decimal arithmetic on BigInt, so the grid shows the same amounts the server computes
// (Decimal, half-up rounding to kopecks): a value is an integer count of 10^-scale units.

const SPACES = /[\s\u00a0\u202f\u2009']/g;

// "1 234,5" / "1,234.50" / "45000" → BigInt scaled by 10^scale; null when not a number or
// when it has more decimals than `scale`; undefined for an empty cell.
export function parseDecimal(text, scale) {
  let value = String(text ?? "").replace(SPACES, "").replace(/₽|руб\.?|%/gi, "");
  if (value === "") return undefined;
  if (value.includes(",") && value.includes(".")) {
    const decimalSep = value.lastIndexOf(",") > value.lastIndexOf(".") ? "," : ".";
    value = value.replaceAll(decimalSep === "," ? "." : ",", "").replace(",", ".");
  } else {
    value = value.replace(",", ".");
  }
  const match = /^(-?)(\d*)(?:\.(\d*))?$/.exec(value);
  if (!match || (match[2] === "" && !match[3])) return null;
  const fraction = match[3] || "";
  if (fraction.length > scale) return null;
  const digits = (match[2] || "0") + fraction.padEnd(scale, "0");
  return (match[1] ? -1n : 1n) * BigInt(digits);
}

// a / b rounded half away from zero.
export function divRound(a, b) {
  const negative = a < 0n !== b < 0n;
  const [x, y] = [a < 0n ? -a : a, b < 0n ? -b : b];
  const q = (x * 2n + y) / (y * 2n);
  return negative ? -q : q;
}

export function format(value, scale, language, { trim = false, group = true } = {}) {
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString().padStart(scale + 1, "0");
  let whole = digits.slice(0, digits.length - scale);
  let fraction = scale ? digits.slice(-scale) : "";
  if (trim) fraction = fraction.replace(/0+$/, "");
  if (group) whole = whole.replace(/\B(?=(\d{3})+(?!\d))/g, language === "en" ? "," : "\u202f");
  const sep = language === "en" ? "." : ",";
  return (negative ? "-" : "") + whole + (fraction ? sep + fraction : "");
}

// The JSON API takes decimals as plain strings: "1234.5".
export function plain(value, scale) {
  return format(value, scale, "en", { trim: true, group: false });
}

// A line: quantity (scale 3) × price (kopecks) × (100 % − discount (scale 2)) → kopecks;
// VAT is included in the price: amount × rate / (100 + rate).
export function lineAmount(quantity, price, discount) {
  return divRound(quantity * price * (10000n - discount), 1000n * 10000n);
}

export function vatIncluded(amount, ratePercent = 22n) {
  const rate = ratePercent * 100n;
  return divRound(amount * rate, 10000n + rate);
}
