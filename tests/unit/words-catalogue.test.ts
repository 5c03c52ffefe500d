/**
 * The shared catalogue of words (protocol/words.ts): every code the API can answer with has
 * Chinese and English words, and the evidence formatters never let a code through.
 */
import { describe, expect, it } from 'vitest';
import { ERRORS } from '../../lib/errors.ts';
import { ALERT_CATALOGUE } from '../../protocol/catalogue.ts';
import { SERVICE_MODES, VISIT_KINDS } from '../../protocol/messages.ts';
import {
  alertEvidenceInWords,
  CONDITION_WORDS,
  ERROR_WORDS,
  EVIDENCE_FIELDS,
  errorWords,
  SCORE_CRITERION_WORDS,
  SERVICE_MODE_WORDS,
  VERDICT_WORDS,
  VISIT_KIND_WORDS,
  visitEvidenceInWords,
} from '../../protocol/words.ts';

const CHINESE = /[\u4e00-\u9fff]/;
const RAW_CODE = /\b[a-z]+_[a-z_]+\b/;

describe('the words catalogue', () => {
  it('words every API error code in Chinese and English', () => {
    for (const code of Object.keys(ERRORS)) {
      const words = ERROR_WORDS[code as keyof typeof ERRORS];
      expect(words.zh, code).toMatch(CHINESE);
      expect(words.en, code).not.toBe('');
    }
    expect(errorWords('CONFLICT', 'zh')).toMatch(/^当前状态不允许此操作/);
    expect(errorWords('SOMETHING_NEW', 'zh')).toBe(ERROR_WORDS.HTTP.zh);
    expect(errorWords('CONFLICT', 'zh', 'INSUFFICIENT_FUNDS')).toMatch(/^基金余额不足/);
  });

  it.each([
    ['visit kinds', VISIT_KIND_WORDS, VISIT_KINDS],
    ['service modes', SERVICE_MODE_WORDS, SERVICE_MODES],
    ['conditions', CONDITION_WORDS, ['normal', 'maintenance', 'fault', 'offline']],
    ['verdicts', VERDICT_WORDS, ['verified', 'suspect', 'fake', 'pending']],
    [
      'score criteria',
      SCORE_CRITERION_WORDS,
      [
        'out_of_service',
        'duration',
        'shaft_coverage',
        'stop_switch_tests',
        'door_checks',
        'no_passenger_service',
        'items_reported',
      ],
    ],
  ] as const)('has Chinese and English for every one of the %s', (_, table, codes) => {
    for (const code of codes) {
      expect((table.zh as Record<string, string>)[code], code).toMatch(CHINESE);
      expect((table.en as Record<string, string>)[code], code).toBeTruthy();
    }
  });

  it('labels every alert code in Chinese (catalogue.ts)', () => {
    for (const [code, entry] of Object.entries(ALERT_CATALOGUE)) expect(entry.zh, code).toMatch(CHINESE);
  });

  it('words an alert evidence with units and leaves unknown keys and code values out', () => {
    const lines = alertEvidenceInWords(
      {
        trappedS: 45,
        mode: 'normal',
        door_closed: true,
        speed_mps: 0.004,
        secret_key: 'x',
        source: 'rule_x',
      },
      'zh',
    );
    expect(lines).toEqual(['困人时长：45 秒', '运行模式：正常', '门已关闭：是', '速度：0 米/秒']);
    expect(alertEvidenceInWords({ mode: 'made_up_mode' }, 'zh')).toEqual([]);
    expect(alertEvidenceInWords('not an object', 'zh')).toEqual([]);
    for (const [key, field] of Object.entries(EVIDENCE_FIELDS)) expect(field.zh, key).toMatch(CHINESE);
  });

  it('words a visit evidence without codes', () => {
    const zh = visitEvidenceInWords(
      {
        inspectionMin: 52,
        shaftCoverage: 0.5,
        stopSwitchPit: 1,
        stopSwitchCarTop: 0,
        doorCycleFloors: [1, 2],
      },
      'zh',
    );
    expect(zh).toEqual(['检修模式 52 分钟', '走过 50% 井道', '测试了底坑急停开关', '2 个层站开关门检查']);
    for (const line of zh) expect(line).not.toMatch(RAW_CODE);
  });
});
