/**
 * The resident's loop on a report (issue 15: 上报 → 处置 → 反馈 → 评价): the progress of a
 * "有人被困" alert and the confirm / reopen / rate form on the receipt page. Kept apart from
 * i18n.ts so the page's other words stay short.
 */
import type { Lang } from '../../protocol/words.ts';

const zh = {
  progress: '处置过程',
  alarmRaised: '已向物业值班发出紧急警报',
  responded: '响应',
  arrived: '到场',
  resolved: '处置完毕',
  notYet: '尚未',
  afterMinutes: (n: number) => `${n} 分钟`,
  feedbackTitle: '问题解决了吗？',
  fixed: '已解决',
  notFixed: '未解决（重新处理）',
  rating: '为这次处理打分',
  stars: (n: number) => `${n} 分`,
  sendFeedback: '提交评价',
  yourFeedback: '您的评价',
  thanksFeedback: '感谢您的评价。',
  reopened: '您反馈问题未解决，已重新交给物业处理。',
  tooEarly: '处理完毕后才能评价。',
  feedbackTitleDone: '已收到评价',
};

type LoopWords = typeof zh;

const en: LoopWords = {
  progress: 'Handling',
  alarmRaised: 'An emergency alarm went to the duty officer',
  responded: 'responded',
  arrived: 'on site',
  resolved: 'cleared',
  notYet: 'not yet',
  afterMinutes: (n) => `${n} min`,
  feedbackTitle: 'Is the problem fixed?',
  fixed: 'Fixed',
  notFixed: 'Not fixed (handle it again)',
  rating: 'Rate the handling',
  stars: (n) => `${n} of 5`,
  sendFeedback: 'Send',
  yourFeedback: 'Your rating',
  thanksFeedback: 'Thank you for your rating.',
  reopened: 'You said it is not fixed: the property firm handles it again.',
  tooEarly: 'You can rate it once it has been handled.',
  feedbackTitleDone: 'Rating received',
};

export const LOOP_WORDS: Record<Lang, LoopWords> = { zh, en };
