// Two runs side by side: per question both distributions and the test of their difference; per eval scorer the
// paired difference. Bars are plain elements sized by width, so they fit any panel.
import type { Comparison, QuestionComparison } from '../../api/compare';
import { clear, count, h } from './dom';

export class CompareView {
  readonly element = h('section', { class: 'compare-view', id: 'compare' });

  set(comparison: Comparison): void {
    clear(this.element);
    const [a, b] = comparison.labels;
    this.element.append(
      h('h3', {}, 'Compared'),
      h('p', {}, h('span', { class: 'swatch run-a' }), `A: ${a}`, h('br'), h('span', { class: 'swatch run-b' }), `B: ${b}`),
    );
    for (const question of comparison.questions) this.element.append(questionBlock(question));
    if (comparison.scorers.length > 0) {
      const head = h('tr', {}, ...['scorer', 'A', 'B', 'A − B', '± paired SE', 'samples'].map((t, i) => h('th', { class: i > 0 ? 'num' : '' }, t)));
      const rows = comparison.scorers.map((s) =>
        h(
          'tr',
          {},
          h('td', {}, s.scorer),
          ...[s.means[0], s.means[1], s.difference].map((v) => h('td', { class: 'num' }, fixed(v))),
          h('td', { class: 'num' }, s.stderr === null ? '—' : fixed(s.stderr)),
          h('td', { class: 'num' }, count(s.n)),
        ),
      );
      this.element.append(h('table', { class: 'estimate', id: 'compare-scorers' }, h('thead', {}, head), h('tbody', {}, ...rows)));
    }
    if (comparison.questions.length === 0 && comparison.scorers.length === 0)
      this.element.append(h('p', { class: 'muted' }, 'The two runs share no questions or scored samples.'));
  }
}

function questionBlock(q: QuestionComparison): HTMLElement {
  const test = q.test
    ? `${q.test.test} ${fixed(q.test.statistic)} (df ${fixed(q.test.df)}), p ${q.test.p < 0.001 ? '< 0.001' : `= ${q.test.p.toFixed(3)}`}`
    : 'too few answers to test';
  const block = h(
    'div',
    { class: 'chart compare-question', 'data-question': q.question },
    h('h4', {}, q.question),
    h('p', { class: 'muted small test' }, `n = ${count(q.n[0])} / ${count(q.n[1])} · ${test}`),
  );
  if (q.kind === 'numbers' && q.means) block.append(h('p', {}, `mean A ${fixed(q.means[0])} · mean B ${fixed(q.means[1])}`));
  if (q.kind === 'text') block.append(h('p', { class: 'muted' }, 'Free text: compare the answers in the Results tab.'));
  if (q.kind === 'categories') {
    for (const category of q.categories) {
      // A long answer is cut to one line; a click shows it whole (and a second click cuts it again).
      const answer = h('span', { class: 'compare-answer', title: category.answer }, category.answer);
      answer.addEventListener('click', () => answer.classList.toggle('open'));
      const row = h('div', { class: 'compare-row' }, answer);
      category.counts.forEach((n, i) => {
        const share = q.n[i] ? n / q.n[i]! : 0;
        const bar = h('span', { class: `compare-bar ${i === 0 ? 'run-a' : 'run-b'}` });
        bar.style.width = `${Math.round(share * 100)}%`;
        row.append(h('span', { class: 'compare-cell' }, bar, h('span', { class: 'muted small' }, `${Math.round(share * 100)}% (${n})`)));
      });
      block.append(row);
    }
  }
  return block;
}

function fixed(n: number): string {
  return Number.isFinite(n) ? (Number.isInteger(n) ? String(n) : n.toFixed(3)) : '—';
}
