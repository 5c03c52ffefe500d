/**
 * The TSG T5002-2017 maintenance items for traction lifts (Annex A), the checklist a technician
 * ticks on a visit. The classes are cumulative (Annex A: "除符合上表项目(内容)和要求外，还应当符合
 * 下表"): half-monthly A-1 holds 31 items, quarterly adds A-2's 13 (44), half-yearly A-3's 15
 * (59), yearly A-4's 17 (76). Items are numbered 1–76 across the four tables in that order,
 * the numbering the device channel's `items` and the visit judge's count already use
 * (ingest/visits/limits.ts TSG_ITEM_COUNT; tests/unit/maintenance-items.test.ts keeps them equal).
 * Names are the regulation's own words.
 */
import type { VisitKind } from './messages.ts';

export interface MaintenanceItem {
  /** 1–76, across tables A-1..A-4. */
  number: number;
  /** The table it comes from: 'A-1' half-monthly, 'A-2' quarterly, 'A-3' half-yearly, 'A-4' yearly. */
  table: 'A-1' | 'A-2' | 'A-3' | 'A-4';
  /** Item (content), as the regulation words it. */
  name: string;
  /** Where on the lift the item is done, for grouping the checklist on a phone. */
  place: 'machine_room' | 'car_top_shaft' | 'car' | 'landing' | 'pit' | 'other';
}

type Row = [name: string, place: MaintenanceItem['place']];

const A1: Row[] = [
  ['机房、滑轮间环境', 'machine_room'],
  ['手动紧急操作装置', 'machine_room'],
  ['驱动主机', 'machine_room'],
  ['制动器各销轴部位', 'machine_room'],
  ['制动器间隙', 'machine_room'],
  ['制动器作为轿厢意外移动保护装置制停子系统时的自监测', 'machine_room'],
  ['编码器', 'machine_room'],
  ['限速器各销轴部位', 'machine_room'],
  ['层门和轿门旁路装置', 'car_top_shaft'],
  ['紧急电动运行', 'car_top_shaft'],
  ['轿顶', 'car_top_shaft'],
  ['轿顶检修开关、停止装置', 'car_top_shaft'],
  ['导靴上油杯', 'car_top_shaft'],
  ['对重/平衡重块及其压板', 'car_top_shaft'],
  ['井道照明', 'car_top_shaft'],
  ['轿厢照明、风扇、应急照明', 'car'],
  ['轿厢检修开关、停止装置', 'car'],
  ['轿内报警装置、对讲系统', 'car'],
  ['轿内显示、指令按钮、IC卡系统', 'car'],
  ['轿门防撞击保护装置(安全触板，光幕、光电等)', 'car'],
  ['轿门门锁电气触点', 'car'],
  ['轿门运行', 'car'],
  ['轿厢平层准确度', 'car'],
  ['层站召唤、层楼显示', 'landing'],
  ['层门地坎', 'landing'],
  ['层门自动关门装置', 'landing'],
  ['层门门锁自动复位', 'landing'],
  ['层门门锁电气触点', 'landing'],
  ['层门锁紧元件啮合长度', 'landing'],
  ['底坑环境', 'pit'],
  ['底坑停止装置', 'pit'],
];

const A2: Row[] = [
  ['减速机润滑油', 'machine_room'],
  ['制动衬', 'machine_room'],
  ['编码器', 'machine_room'],
  ['选层器动静触点', 'machine_room'],
  ['曳引轮槽、悬挂装置', 'machine_room'],
  ['限速器轮槽、限速器钢丝绳', 'machine_room'],
  ['靴衬、滚轮', 'car_top_shaft'],
  ['验证轿门关闭的电气安全装置', 'car'],
  ['层门、轿门系统中传动钢丝绳、链条、传动带', 'landing'],
  ['层门门导靴', 'landing'],
  ['消防开关', 'other'],
  ['耗能缓冲器', 'pit'],
  ['限速器张紧轮装置和电气安全装置', 'pit'],
];

const A3: Row[] = [
  ['电动机与减速机联轴器', 'machine_room'],
  ['驱动轮、导向轮轴承部', 'machine_room'],
  ['曳引轮槽', 'machine_room'],
  ['制动器动作状态监测装置', 'machine_room'],
  ['控制柜内各接线端子', 'machine_room'],
  ['控制柜各仪表', 'machine_room'],
  ['井道、对重、轿顶各反绳轮轴承部', 'car_top_shaft'],
  ['悬挂装置、补偿绳', 'car_top_shaft'],
  ['绳头组合', 'car_top_shaft'],
  ['限速器钢丝绳', 'car_top_shaft'],
  ['层门、轿门门扇', 'landing'],
  ['轿门开门限制装置', 'car'],
  ['对重缓冲距离', 'pit'],
  ['补偿链(绳)与轿厢、对重接合处', 'pit'],
  ['上、下极限开关', 'car_top_shaft'],
];

const A4: Row[] = [
  ['减速机润滑油', 'machine_room'],
  ['控制柜接触器、继电器触点', 'machine_room'],
  ['制动器铁芯(柱塞)', 'machine_room'],
  ['制动器制动能力', 'machine_room'],
  ['导电回路绝缘性能测试', 'machine_room'],
  ['限速器安全钳联动试验', 'machine_room'],
  ['上行超速保护装置动作试验', 'machine_room'],
  ['轿厢意外移动保护装置动作试验', 'machine_room'],
  ['轿顶、轿厢架、轿门及其附件安装螺栓', 'car_top_shaft'],
  ['轿厢和对重/平衡重的导轨支架', 'car_top_shaft'],
  ['轿厢和对重/平衡重的导轨', 'car_top_shaft'],
  ['随行电缆', 'car_top_shaft'],
  ['层门装置和地坎', 'landing'],
  ['轿厢称重装置', 'car'],
  ['安全钳钳座', 'pit'],
  ['轿底各安装螺栓', 'pit'],
  ['缓冲器', 'pit'],
];

const TABLES: [MaintenanceItem['table'], Row[]][] = [
  ['A-1', A1],
  ['A-2', A2],
  ['A-3', A3],
  ['A-4', A4],
];

/** All 76 items, numbered in table order. */
export const MAINTENANCE_ITEMS: readonly MaintenanceItem[] = TABLES.flatMap(([table, rows]) =>
  rows.map(([name, place]) => ({ table, name, place, number: 0 })),
).map((item, i) => Object.freeze({ ...item, number: i + 1 }));

/** How many tables each class covers (repairs have no item list). */
const TABLES_OF: Record<VisitKind, number> = {
  half_monthly: 1,
  quarterly: 2,
  half_yearly: 3,
  yearly: 4,
  repair: 0,
};

/** The checklist of a visit class: the items of its table and of every shorter class. */
export function maintenanceItemsFor(kind: VisitKind): readonly MaintenanceItem[] {
  const tables = new Set(TABLES.slice(0, TABLES_OF[kind]).map(([t]) => t));
  return MAINTENANCE_ITEMS.filter((item) => tables.has(item.table));
}

/** The place words a phone groups the checklist under. */
export const MAINTENANCE_PLACE_WORDS: Record<MaintenanceItem['place'], { zh: string; en: string }> = {
  machine_room: { zh: '机房', en: 'Machine room' },
  car_top_shaft: { zh: '轿顶与井道', en: 'Car top and shaft' },
  car: { zh: '轿厢', en: 'Car' },
  landing: { zh: '层站', en: 'Landings' },
  pit: { zh: '底坑', en: 'Pit' },
  other: { zh: '其他', en: 'Other' },
};
