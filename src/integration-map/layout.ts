import type { Wire } from './wires';

/**
 * Internal to src/integration-map: where the diagram puts things. The hub (the site's store) sits in the middle, the
 * other systems on an ellipse around it, the busiest ones on its long axis where wires have most room. Wires between
 * the same two systems bow apart; each label goes to the first spot along its wire that covers no box and no other
 * label.
 */

export interface Point {
  readonly x: number;
  readonly y: number;
}

/** A rectangle by its centre and size. */
export interface Rect extends Point {
  readonly w: number;
  readonly h: number;
}

export interface BoxLayout extends Rect {
  readonly system: string;
  readonly hub: boolean;
}

export interface WireLayout {
  readonly wire: Wire;
  /** SVG path data: a quadratic curve from the owner's box to the follower's. */
  readonly d: string;
  readonly label: Rect & { readonly lines: readonly string[] };
}

export interface DiagramLayout {
  readonly width: number;
  readonly height: number;
  readonly boxes: readonly BoxLayout[];
  readonly wires: readonly WireLayout[];
}

const WIDTH = 1180;
const HEIGHT = 700;
const BOX = { w: 206, h: 88 };
/** The hub is taller: most wires end on it. */
const HUB = { w: 226, h: 128 };
const RING = { rx: 446, ry: 262 };
/** Distance between the midpoints of wires that join the same two systems. */
const SPACING = 56;
const LABEL = { charWidth: 6.4, lineHeight: 14, padding: 6, wrapAt: 26 };

export function layoutDiagram(systems: readonly string[], hub: string, wires: readonly Wire[]): DiagramLayout {
  const centre = { x: WIDTH / 2, y: HEIGHT / 2 };
  const others = systems.filter((system) => system !== hub);
  const busy = (system: string) => wires.filter((wire) => wire.from === system || wire.to === system).length;
  const byBusyness = others.map((system, index) => ({ system, index })).sort((a, b) => busy(b.system) - busy(a.system) || a.index - b.index);
  const slots = others
    .map((_, k) => {
      const angle = (2 * Math.PI * k) / others.length;
      return { angle, x: centre.x + RING.rx * Math.cos(angle), y: centre.y + RING.ry * Math.sin(angle) };
    })
    .sort((a, b) => Math.hypot(b.x - centre.x, b.y - centre.y) - Math.hypot(a.x - centre.x, a.y - centre.y) || a.angle - b.angle);
  const boxes: BoxLayout[] = [{ system: hub, hub: true, ...centre, ...HUB }];
  byBusyness.forEach(({ system }, index) => {
    const slot = slots[index]!;
    boxes.push({ system, hub: false, x: round(slot.x), y: round(slot.y), ...BOX });
  });
  const boxOf = new Map(boxes.map((box) => [box.system, box]));

  const groups = new Map<string, Wire[]>();
  for (const wire of wires) {
    const key = [wire.from, wire.to].sort().join('\u0000');
    groups.set(key, [...(groups.get(key) ?? []), wire]);
  }
  const curves: { wire: Wire; start: Point; control: Point; end: Point; crowded: boolean }[] = [];
  for (const group of groups.values()) {
    group.forEach((wire, index) => {
      const [first, second] = [wire.from, wire.to].sort() as [string, string];
      const a = boxOf.get(first);
      const b = boxOf.get(second);
      if (!a || !b) return;
      const length = Math.hypot(b.x - a.x, b.y - a.y) || 1;
      const normal = { x: -(b.y - a.y) / length, y: (b.x - a.x) / length };
      const offset = (index - (group.length - 1) / 2) * SPACING;
      // Part of the offset moves the ends apart along the boxes' sides (parallel wires); the rest bows the curve.
      const shiftOf = (box: Rect): number => Math.max(-(box.h / 2 - 10), Math.min(box.h / 2 - 10, offset * 0.6));
      const shifted = (box: Rect): Point => ({ x: box.x + shiftOf(box) * normal.x, y: box.y + shiftOf(box) * normal.y });
      const from = boxOf.get(wire.from)!;
      const to = boxOf.get(wire.to)!;
      // The ends sit where the straight (shifted) line between the boxes leaves them, on the sides that face each other.
      const start = edgeToward(from, shifted(from), shifted(to));
      const end = edgeToward(to, shifted(to), shifted(from));
      const bow = 2 * (offset - (shiftOf(a) + shiftOf(b)) / 2);
      const control = { x: (start.x + end.x) / 2 + bow * normal.x, y: (start.y + end.y) / 2 + bow * normal.y };
      curves.push({ wire, start, control, end, crowded: group.length > 1 });
    });
  }

  // Crowded pairs first: their labels have the fewest places to go.
  const placed: Rect[] = [...boxes];
  const laid = new Map<Wire, WireLayout>();
  for (const curve of [...curves].sort((x, y) => Number(y.crowded) - Number(x.crowded))) {
    const lines = [curve.wire.entity, ...wrap(curve.wire.fields.join(', '), LABEL.wrapAt)];
    const size = {
      w: Math.max(...lines.map((line) => line.length)) * LABEL.charWidth + 2 * LABEL.padding,
      h: lines.length * LABEL.lineHeight + LABEL.padding,
    };
    const candidates = [0.5, 0.42, 0.58, 0.34, 0.66, 0.26, 0.74].map((t) => ({ ...pointAt(curve, t), ...size }));
    const crowding = (rect: Rect) => placed.reduce((sum, other) => sum + overlap(rect, other), 0);
    const label = candidates.find((rect) => crowding(rect) === 0) ?? [...candidates].sort((a, b) => crowding(a) - crowding(b))[0]!;
    placed.push(label);
    const d = `M ${round(curve.start.x)} ${round(curve.start.y)} Q ${round(curve.control.x)} ${round(curve.control.y)} ${round(curve.end.x)} ${round(curve.end.y)}`;
    laid.set(curve.wire, { wire: curve.wire, d, label: { ...label, x: round(label.x), y: round(label.y), lines } });
  }
  return { width: WIDTH, height: HEIGHT, boxes, wires: wires.flatMap((wire) => laid.get(wire) ?? []) };
}

/** Where a line from `origin` (inside the box) toward `target` leaves the box, a few pixels out for the arrow head. */
function edgeToward(box: Rect, origin: Point, target: Point): Point {
  const dx = target.x - origin.x;
  const dy = target.y - origin.y;
  const reach = (delta: number, from: number, centre: number, half: number): number =>
    delta === 0 ? Infinity : (delta > 0 ? centre + half + 4 - from : from - (centre - half - 4)) / Math.abs(delta);
  const scale = Math.min(reach(dx, origin.x, box.x, box.w / 2), reach(dy, origin.y, box.y, box.h / 2));
  return Number.isFinite(scale) ? { x: origin.x + dx * scale, y: origin.y + dy * scale } : origin;
}

function pointAt(curve: { start: Point; control: Point; end: Point }, t: number): Point {
  const u = 1 - t;
  return {
    x: u * u * curve.start.x + 2 * u * t * curve.control.x + t * t * curve.end.x,
    y: u * u * curve.start.y + 2 * u * t * curve.control.y + t * t * curve.end.y,
  };
}

/** The area two rectangles share (0 when they do not touch). */
function overlap(a: Rect, b: Rect): number {
  const width = Math.min(a.x + a.w / 2, b.x + b.w / 2) - Math.max(a.x - a.w / 2, b.x - b.w / 2);
  const height = Math.min(a.y + a.h / 2, b.y + b.h / 2) - Math.max(a.y - a.h / 2, b.y - b.h / 2);
  return width > 0 && height > 0 ? width * height : 0;
}

/** Splits text at ", " or spaces into lines of about `width` characters. */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  return lines;
}

const round = (value: number): number => Math.round(value * 10) / 10;
