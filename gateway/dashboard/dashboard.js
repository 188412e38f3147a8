// Concord's dashboards: the operator overview (#/) and a page per alliance (#/alliance/<slug>).
// Holds no data: every figure is read from the gateway's GraphQL (same origin, /graphql) with
// the bearer token the user signed in with (sessionStorage; how they sign in: signin.js).
// Charts: Chart.js, shipped by the gateway (vendor/chart.umd.min.js). Tables download as .xlsx
// (xlsx.js).
(function () {
  'use strict';

  const GRAPHQL = new URL('../graphql', window.location.href).toString();
  const TOKEN_KEY = 'concord.dashboard.token';
  const LANG_KEY = 'concord.dashboard.lang';
  const COLORS = ['#2563eb', '#16a34a', '#dc2626', '#d97706', '#7c3aed', '#0891b2', '#db2777', '#4b5563'];

  const MONEY = 'amount currency';
  const OVERVIEW = `query DashboardOverview($since: Date!, $until: Date!, $grouping: Grouping!) {
  alliances {
    id slug nameZh nameEn
    membershipFigures(since: $since, until: $until, grouping: $grouping) {
      members admissions withdrawals pendingTotal
    }
    governanceFigures(since: $since, until: $until, grouping: $grouping) {
      meetingsHeld motionsPassed motionsFailed
    }
    financeFigures(since: $since, until: $until, grouping: $grouping) {
      fees { invoiced { ${MONEY} } paid { ${MONEY} } }
      overdue { invoices outstanding { ${MONEY} } }
    }
  }
}`;
  const ALLIANCE = `query DashboardAlliance($slug: String!, $since: Date!, $until: Date!, $grouping: Grouping!, $fiscalYear: Int!) {
  alliance(slug: $slug) {
    id slug nameZh nameEn
    membershipFigures(since: $since, until: $until, grouping: $grouping) {
      members admissions withdrawals expulsions terminations demotions pendingTotal
      byTier { tier count }
      byCountry { country count }
      series { period members admissions withdrawals expulsions terminations demotions }
      pending { kind status count oldestDays averageDays over30Days over90Days step stepSource }
    }
    governanceFigures(since: $since, until: $until, grouping: $grouping) {
      openMotions meetingsHeld motionsPassed motionsFailed quorumFailures
      series { period meetingsHeld motionsPassed motionsFailed votesClosed quorumFailures turnout }
      bodies { body year held minimum belowMinimum source }
    }
    financeFigures(since: $since, until: $until, grouping: $grouping) {
      fees { period invoices invoiced { ${MONEY} } payments paid { ${MONEY} } }
      overdue { invoices outstanding { ${MONEY} } }
    }
    budgetFigures(fiscalYear: $fiscalYear) {
      fiscalYear
      lines { code nameZh nameEn fund restriction budgeted { ${MONEY} } actual { ${MONEY} } remaining { ${MONEY} } rate }
    }
  }
}`;

  // The live turnout of the open votes (ballots cast so far; the running count only where the
  // vote is named): each open vote is followed by the voteTurnout subscription (SSE through the
  // gateway, the same token); the list itself is read again every LIVE_SECONDS while an
  // alliance page is open, for votes opened since.
  const LIVE_SECONDS = 60;
  const TURNOUT = `subscription DashboardTurnout($stage: ID!) {
  voteTurnout(stage: $stage) { stageId status turnout { ballots yes no abstain } }
}`;
  const OPEN_VOTES = `query DashboardOpenVotes($slug: String!) {
  alliance(slug: $slug) {
    motions(status: OPEN, first: 20) {
      totalCount
      edges { node { id title stages { id index body status secret deadline turnout { ballots yes no abstain } } } }
    }
  }
}`;

  // --- state ------------------------------------------------------------------------------

  const today = new Date();
  const iso = (d) => d.toISOString().slice(0, 10);
  const state = {
    lang: localStorage.getItem(LANG_KEY) || (navigator.language.startsWith('zh') ? 'zh' : 'en'),
    since: iso(new Date(Date.UTC(today.getUTCFullYear() - 1, today.getUTCMonth() + 1, 1))),
    until: iso(today),
    grouping: 'MONTH',
    openVotes: null, // the alliance page's open votes (Alliance.motions(status: OPEN))
    data: null, // the last answer, re-rendered on a language switch without a new request
    tables: {}, // id -> {title, header, rows}, for the downloads
    charts: [],
  };
  const t = (key) => window.ConcordI18n[state.lang][key] ?? key;
  const $ = (selector) => document.querySelector(selector);

  function token() {
    return sessionStorage.getItem(TOKEN_KEY);
  }

  function claims() {
    try {
      const payload = token().split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
      const bytes = Uint8Array.from(atob(payload), (c) => c.charCodeAt(0));
      return JSON.parse(new TextDecoder().decode(bytes));
    } catch (e) {
      return {};
    }
  }

  // --- GraphQL ------------------------------------------------------------------------------

  class ApiError extends Error {
    constructor(message, code) {
      super(message);
      this.code = code;
    }
  }

  async function graphql(query, variables) {
    const response = await fetch(GRAPHQL, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token()}` },
      body: JSON.stringify({ query, variables }),
    });
    let body;
    try {
      body = await response.json();
    } catch (e) {
      throw new ApiError(`HTTP ${response.status}`, 'HTTP');
    }
    if (body.errors && body.errors.length) {
      const first = body.errors[0];
      throw new ApiError(first.message, first.extensions?.code ?? 'ERROR');
    }
    return body.data;
  }

  /** Follows a subscription over SSE: onResult(data) for each result, until `signal` aborts or
   * the server completes it. Errors end it quietly (the list refresh picks the vote up again). */
  async function follow(query, variables, onResult, signal) {
    const response = await fetch(GRAPHQL, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'text/event-stream',
        authorization: `Bearer ${token()}`,
      },
      body: JSON.stringify({ query, variables }),
      signal,
    });
    if (!response.body) return;
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const message = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const lines = message.split('\n');
        const event = lines.find((l) => l.startsWith('event:'))?.slice(6).trim();
        const data = lines.filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trim()).join('');
        if (event === 'complete') return;
        if (event !== 'next' || !data) continue;
        const body = JSON.parse(data);
        if (body.errors && body.errors.length) return;
        onResult(body.data);
      }
    }
  }

  // --- formatting --------------------------------------------------------------------------

  /** Exact sum of decimal strings ("12.50" + "3" = "15.50"), never through floats. */
  function addDecimals(a, b) {
    const scale = Math.max((a.split('.')[1] || '').length, (b.split('.')[1] || '').length);
    const units = (s) => {
      const negative = s.startsWith('-');
      const [whole, frac = ''] = s.replace('-', '').split('.');
      const value = BigInt(whole + frac.padEnd(scale, '0'));
      return negative ? -value : value;
    };
    const sum = units(a) + units(b);
    const negative = sum < 0n;
    const digits = (negative ? -sum : sum).toString().padStart(scale + 1, '0');
    const text = scale ? `${digits.slice(0, -scale)}.${digits.slice(-scale)}` : digits;
    return negative ? `-${text}` : text;
  }

  /** {currency: amount} summed from a list of Money. */
  function sumMoney(list) {
    const totals = {};
    for (const money of list) {
      totals[money.currency] = totals[money.currency]
        ? addDecimals(totals[money.currency], money.amount)
        : money.amount;
    }
    return totals;
  }

  function formatMoney(totals) {
    const entries = Object.entries(totals).sort(([a], [b]) => a.localeCompare(b));
    return entries.length ? entries.map(([c, a]) => `${c} ${a}`).join('; ') : '0';
  }

  function periodLabel(period) {
    const [year, month] = period.split('-');
    if (state.grouping === 'YEAR') return year;
    if (state.grouping === 'QUARTER') return `${year} Q${Math.floor((Number(month) - 1) / 3) + 1}`;
    return `${year}-${month}`;
  }

  const allianceName = (a) => (state.lang === 'zh' ? a.nameZh : a.nameEn) || a.nameZh || a.slug;
  const tier = (v) => t('tiers')[v] ?? v;
  const body = (v) => t('bodies')[v] ?? v;

  function el(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs)) {
      if (value === undefined || value === null) continue;
      if (name === 'text') node.textContent = value;
      else if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
      else node.setAttribute(name, value);
    }
    for (const child of children) if (child !== null && child !== undefined) node.append(child);
    return node;
  }

  // --- tables and charts ---------------------------------------------------------------------

  /**
   * A table with its download button. columns: [{key, label}]; rows: arrays of cells, each a
   * number, a string, or {text, href} (a link; the text goes into the spreadsheet).
   */
  function table(id, title, columns, rows, rowAttrs = () => ({})) {
    state.tables[id] = {
      title,
      header: columns.map((c) => c.label),
      rows: rows.map((row) => row.map((cell) => (cell && typeof cell === 'object' ? cell.text : cell))),
    };
    const head = el('tr', {}, ...columns.map((c) => el('th', { scope: 'col', text: c.label })));
    const lines = rows.map((row, r) =>
      el(
        'tr',
        rowAttrs(r),
        ...row.map((cell, i) => {
          const attrs = { 'data-col': columns[i].key, class: typeof cell === 'number' ? 'num' : null };
          if (cell && typeof cell === 'object') {
            return el('td', attrs, el('a', { href: cell.href, text: cell.text }));
          }
          return el('td', { ...attrs, text: cell === null || cell === undefined ? '' : String(cell) });
        }),
      ),
    );
    const button = el('button', {
      type: 'button',
      class: 'download',
      'data-download': id,
      text: t('download'),
      onclick: () => download(id),
    });
    return el(
      'section',
      { class: 'table-block', 'data-table-block': id },
      el('div', { class: 'table-head' }, el('h3', { text: title }), button),
      el('div', { class: 'table-scroll' }, el('table', { 'data-table': id }, el('thead', {}, head), el('tbody', {}, ...lines))),
    );
  }

  function download(id) {
    const { title, header, rows } = state.tables[id];
    const blob = window.ConcordXlsx.workbook(title, header, rows);
    const scope = state.route.slug || 'overview';
    const link = el('a', {
      href: URL.createObjectURL(blob),
      download: `concord-${scope}-${id}-${state.since}-${state.until}.xlsx`,
    });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
  }

  /** A Chart.js chart in a card. datasets: [{label, data, type?}]. */
  function chart(id, title, labels, datasets, options = {}) {
    const canvas = el('canvas', { 'data-chart': id, role: 'img', 'aria-label': title });
    const card = el('figure', { class: 'chart' }, el('figcaption', { text: title }), el('div', { class: 'chart-box' }, canvas));
    if (!window.Chart) return card; // chart.js not installed: the gateway's note says so
    const instance = new window.Chart(canvas, {
      type: options.type || 'bar',
      data: {
        labels,
        datasets: datasets.map((d, i) => ({
          borderColor: COLORS[i % COLORS.length],
          backgroundColor: COLORS[i % COLORS.length] + (options.type === 'line' ? '33' : 'cc'),
          borderWidth: options.type === 'line' ? 2 : 0,
          pointRadius: options.type === 'line' ? 2 : undefined,
          fill: options.type === 'line',
          ...d,
        })),
      },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        plugins: { legend: { display: datasets.length > 1, position: 'bottom' } },
        scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
      },
    });
    state.charts.push(instance);
    return card;
  }

  function summary(items) {
    return el(
      'dl',
      { class: 'summary' },
      ...items.map(([key, value]) =>
        el('div', { class: 'figure', 'data-figure': key }, el('dt', { text: t(key) }), el('dd', { text: String(value) })),
      ),
    );
  }

  // --- pages ---------------------------------------------------------------------------------

  function renderOverview(data) {
    const rows = data.alliances.map((a) => {
      const m = a.membershipFigures || { members: 0, admissions: 0, withdrawals: 0, pendingTotal: 0 };
      const g = a.governanceFigures;
      const f = a.financeFigures;
      return {
        alliance: a,
        members: m.members,
        admissions: m.admissions,
        withdrawals: m.withdrawals,
        pending: m.pendingTotal,
        meetingsHeld: g.meetingsHeld,
        motionsPassed: g.motionsPassed,
        invoiced: sumMoney(f.fees.map((p) => p.invoiced)),
        paid: sumMoney(f.fees.map((p) => p.paid)),
        overdue: sumMoney(f.overdue.map((o) => o.outstanding)),
        overdueInvoices: f.overdue.reduce((n, o) => n + o.invoices, 0),
      };
    });
    const main = el('div', { class: 'page', 'data-page': 'overview' }, el('h2', { text: t('overviewTitle') }));
    if (!rows.length) {
      main.append(el('p', { class: 'empty', text: t('noAlliances') }));
      return main;
    }
    const columns = [
      { key: 'alliance', label: t('alliance') },
      { key: 'slug', label: t('slug') },
      { key: 'members', label: t('members') },
      { key: 'admissions', label: t('admissions') },
      { key: 'withdrawals', label: t('withdrawals') },
      { key: 'pending', label: t('pending') },
      { key: 'meetingsHeld', label: t('meetingsHeld') },
      { key: 'motionsPassed', label: t('motionsPassed') },
      { key: 'invoiced', label: t('feesInvoiced') },
      { key: 'paid', label: t('feesPaid') },
      { key: 'overdue', label: t('feesOverdue') },
      { key: 'overdueInvoices', label: t('overdueInvoices') },
    ];
    main.append(
      table(
        'overview',
        t('tableOverview'),
        columns,
        rows.map((r) => [
          { text: allianceName(r.alliance), href: `#/alliance/${encodeURIComponent(r.alliance.slug)}` },
          r.alliance.slug,
          r.members,
          r.admissions,
          r.withdrawals,
          r.pending,
          r.meetingsHeld,
          r.motionsPassed,
          formatMoney(r.invoiced),
          formatMoney(r.paid),
          formatMoney(r.overdue),
          r.overdueInvoices,
        ]),
        (i) => ({ 'data-slug': rows[i].alliance.slug }),
      ),
    );
    const labels = rows.map((r) => allianceName(r.alliance));
    const currencies = [...new Set(rows.flatMap((r) => [...Object.keys(r.invoiced), ...Object.keys(r.overdue)]))].sort();
    const feeSets = currencies.flatMap((c) => [
      { label: `${t('feesInvoiced')} (${c})`, data: rows.map((r) => Number(r.invoiced[c] || 0)) },
      { label: `${t('feesPaid')} (${c})`, data: rows.map((r) => Number(r.paid[c] || 0)) },
      { label: `${t('feesOverdue')} (${c})`, data: rows.map((r) => Number(r.overdue[c] || 0)) },
    ]);
    const charts = el('div', { class: 'charts' });
    main.append(charts);
    charts.append(
      chart('members-by-alliance', t('chartMembersByAlliance'), labels, [{ label: t('members'), data: rows.map((r) => r.members) }]),
      chart('governance-by-alliance', t('chartGovernanceByAlliance'), labels, [
        { label: t('meetingsHeld'), data: rows.map((r) => r.meetingsHeld) },
        { label: t('motionsPassed'), data: rows.map((r) => r.motionsPassed) },
      ]),
      chart('fees-by-alliance', t('chartFeesByAlliance'), labels, feeSets.length ? feeSets : [{ label: t('feesInvoiced'), data: rows.map(() => 0) }]),
    );
    return main;
  }

  function renderAlliance(data) {
    const a = data.alliance;
    const main = el('div', { class: 'page', 'data-page': 'alliance' });
    main.append(el('p', {}, el('a', { href: '#/', class: 'back', text: `← ${t('overview')}` })));
    if (!a) {
      main.append(el('p', { class: 'empty', text: t('notFound') }));
      return main;
    }
    main.dataset.slug = a.slug;
    main.append(el('h2', { text: allianceName(a) }));
    const m = a.membershipFigures;
    const g = a.governanceFigures;
    const f = a.financeFigures;
    const overdue = sumMoney(f.overdue.map((o) => o.outstanding));
    main.append(
      summary([
        ['members', m ? m.members : 0],
        ['admissions', m ? m.admissions : 0],
        ['withdrawals', m ? m.withdrawals : 0],
        ['expulsions', m ? m.expulsions : 0],
        ['pending', m ? m.pendingTotal : 0],
        ['meetingsHeld', g.meetingsHeld],
        ['motionsPassed', g.motionsPassed],
        ['motionsFailed', g.motionsFailed],
        ['openMotions', g.openMotions],
        ['quorumFailures', g.quorumFailures],
        ['feesOverdue', formatMoney(overdue)],
      ]),
    );

    main.append(openVotesBlock(state.openVotes));

    const charts = el('div', { class: 'charts' });
    main.append(charts);
    const series = m ? m.series : [];
    const labels = series.map((p) => periodLabel(p.period));
    charts.append(
      chart('members-over-time', t('chartMembersOverTime'), labels, [{ label: t('members'), data: series.map((p) => p.members) }], { type: 'line' }),
      chart('membership-changes', t('chartChanges'), labels, [
        { label: t('admissions'), data: series.map((p) => p.admissions) },
        { label: t('withdrawals'), data: series.map((p) => p.withdrawals) },
        { label: t('expulsions'), data: series.map((p) => p.expulsions) },
        { label: t('terminations'), data: series.map((p) => p.terminations) },
        { label: t('demotions'), data: series.map((p) => p.demotions) },
      ]),
      chart('governance-per-period', t('chartGovernance'), g.series.map((p) => periodLabel(p.period)), [
        { label: t('meetingsHeld'), data: g.series.map((p) => p.meetingsHeld) },
        { label: t('motionsPassed'), data: g.series.map((p) => p.motionsPassed) },
        { label: t('motionsFailed'), data: g.series.map((p) => p.motionsFailed) },
      ]),
      chart('body-meetings', t('chartBodies'), g.bodies.map((b) => `${body(b.body)} ${b.year}`), [
        { label: t('held'), data: g.bodies.map((b) => b.held) },
        { label: t('minimum'), data: g.bodies.map((b) => b.minimum) },
      ]),
    );
    const feeCurrencies = [...new Set(f.fees.map((p) => p.invoiced.currency))].sort();
    const feePeriods = [...new Set(f.fees.map((p) => p.period))].sort();
    const feeAt = (period, currency, key) => {
      const found = f.fees.find((p) => p.period === period && p.invoiced.currency === currency);
      return found ? Number(found[key].amount) : 0;
    };
    charts.append(
      chart(
        'fees-per-period',
        t('chartFees'),
        feePeriods.map(periodLabel),
        feeCurrencies.flatMap((c) => [
          { label: `${t('invoiced')} (${c})`, data: feePeriods.map((p) => feeAt(p, c, 'invoiced')) },
          { label: `${t('paid')} (${c})`, data: feePeriods.map((p) => feeAt(p, c, 'paid')) },
        ]),
      ),
    );

    const col = (key) => ({ key, label: t(key) });
    main.append(
      table(
        'membership',
        t('tableMembership'),
        ['period', 'members', 'admissions', 'withdrawals', 'expulsions', 'terminations', 'demotions'].map(col),
        series.map((p) => [periodLabel(p.period), p.members, p.admissions, p.withdrawals, p.expulsions, p.terminations, p.demotions]),
      ),
      table('by-tier', t('tableByTier'), [col('tier'), col('count')], (m ? m.byTier : []).map((x) => [tier(x.tier), x.count])),
      table('by-country', t('tableByCountry'), [col('country'), col('count')], (m ? m.byCountry : []).map((x) => [x.country, x.count])),
      table(
        'pending',
        t('tablePending'),
        ['kind', 'status', 'count', 'oldestDays', 'averageDays', 'over30Days', 'over90Days', 'step', 'source'].map(col),
        (m ? m.pending : []).map((p) => [
          p.kind, p.status, p.count, p.oldestDays, Math.round(p.averageDays * 10) / 10, p.over30Days, p.over90Days, p.step ?? '', p.stepSource ?? '',
        ]),
      ),
      table(
        'governance',
        t('tableGovernance'),
        ['period', 'meetingsHeld', 'motionsPassed', 'motionsFailed', 'votesClosed', 'quorumFailures', 'turnout'].map(col),
        g.series.map((p) => [
          periodLabel(p.period), p.meetingsHeld, p.motionsPassed, p.motionsFailed, p.votesClosed, p.quorumFailures,
          p.turnout === null ? '' : `${Math.round(p.turnout * 1000) / 10}%`,
        ]),
      ),
      table(
        'bodies',
        t('tableBodies'),
        ['body', 'year', 'held', 'minimum', 'belowMinimum', 'source'].map(col),
        g.bodies.map((b) => [body(b.body), b.year, b.held, b.minimum, b.belowMinimum ? t('yes') : t('no'), b.source]),
        (i) => ({ class: g.bodies[i].belowMinimum ? 'below' : null }),
      ),
      table(
        'fees',
        t('tableFees'),
        ['period', 'currency', 'invoices', 'invoiced', 'payments', 'paid'].map(col),
        f.fees.map((p) => [periodLabel(p.period), p.invoiced.currency, p.invoices, Number(p.invoiced.amount), p.payments, Number(p.paid.amount)]),
      ),
      table(
        'overdue',
        t('tableOverdue'),
        ['currency', 'invoices', 'outstanding'].map(col),
        f.overdue.map((o) => [o.outstanding.currency, o.invoices, Number(o.outstanding.amount)]),
      ),
      budgetTable(a.budgetFigures),
    );
    return main;
  }

  /** Budget execution (预算执行) of the fiscal year the window ends in: the approved annual
   * budget against the books, per account and fund, per currency (Alliance.budgetFigures). */
  function budgetTable(b) {
    const col = (key) => ({ key, label: t(key) });
    const percent = (rate) => {
      if (rate === null) return '';
      const [whole, frac = ''] = rate.replace('-', '').split('.');
      const digits = String(BigInt(whole + frac.padEnd(4, '0'))).padStart(3, '0');
      return `${rate.startsWith('-') ? '-' : ''}${digits.slice(0, -2)}.${digits.slice(-2)}%`;
    };
    return table(
      'budget',
      `${t('tableBudget')} ${b.fiscalYear}`,
      ['account', 'accountName', 'fund', 'restriction', 'currency', 'budgeted', 'actual', 'remaining', 'rate'].map(col),
      b.lines.map((l) => [
        l.code,
        state.lang === 'zh' ? l.nameZh : l.nameEn,
        l.fund ?? t('allFunds'),
        l.restriction ? t(l.restriction) : '',
        l.budgeted.currency,
        Number(l.budgeted.amount),
        Number(l.actual.amount),
        Number(l.remaining.amount),
        percent(l.rate),
      ]),
    );
  }

  function openVotesBlock(alliance) {
    const rows = [];
    for (const edge of alliance ? alliance.motions.edges : []) {
      for (const stage of edge.node.stages) {
        if (stage.status !== 'OPEN') continue;
        rows.push([
          edge.node.title,
          body(stage.body),
          stage.deadline ? stage.deadline.slice(0, 16).replace('T', ' ') : '',
          stage.turnout.ballots,
          stage.turnout.yes ?? '',
          stage.turnout.no ?? '',
          stage.turnout.abstain ?? '',
        ]);
      }
    }
    const columns = ['motion', 'body', 'deadline', 'ballots', 'yes', 'no', 'abstain'].map((key) => ({
      key,
      label: t(key === 'yes' || key === 'no' ? `vote_${key}` : key),
    }));
    const block = table('open-votes', t('tableOpenVotes'), columns, rows);
    block.dataset.liveSeconds = String(LIVE_SECONDS);
    block.dataset.live = 'subscription';
    block.append(el('p', { class: 'note', text: t('openVotesNote') }));
    return block;
  }

  function redrawOpenVotes() {
    const current = document.querySelector('[data-table-block="open-votes"]');
    if (current && state.openVotes) current.replaceWith(openVotesBlock(state.openVotes));
  }

  /** One voteTurnout subscription per open vote listed; the others are stopped. */
  function followOpenVotes() {
    state.following = state.following || new Map();
    const open = new Set();
    if (state.route && state.route.page === 'alliance' && state.openVotes) {
      for (const edge of state.openVotes.motions.edges) {
        for (const stage of edge.node.stages) if (stage.status === 'OPEN' && stage.id) open.add(stage.id);
      }
    }
    for (const [id, controller] of state.following) {
      if (!open.has(id)) {
        controller.abort();
        state.following.delete(id);
      }
    }
    for (const id of open) {
      if (state.following.has(id)) continue;
      const controller = new AbortController();
      state.following.set(id, controller);
      follow(
        TURNOUT,
        { stage: id },
        (data) => {
          const live = data && data.voteTurnout;
          if (!live || !state.openVotes) return;
          for (const edge of state.openVotes.motions.edges) {
            for (const stage of edge.node.stages) {
              if (stage.id !== live.stageId) continue;
              stage.turnout = live.turnout;
              stage.status = live.status;
            }
          }
          redrawOpenVotes();
        },
        controller.signal,
      )
        .catch(() => {})
        .finally(() => {
          if (state.following.get(id) === controller) state.following.delete(id);
        });
    }
  }

  async function refreshOpenVotes() {
    if (state.route.page !== 'alliance' || !state.data || !state.data.alliance) return;
    const slug = state.route.slug;
    try {
      const data = await graphql(OPEN_VOTES, { slug });
      if (state.route.slug !== slug || !state.data) return; // moved on meanwhile
      state.openVotes = data.alliance;
      redrawOpenVotes();
      followOpenVotes();
    } catch (error) {
      showError(error);
    }
  }

  // --- shell -----------------------------------------------------------------------------------

  function route() {
    const match = window.location.hash.match(/^#\/alliance\/([^/?]+)/);
    return match ? { page: 'alliance', slug: decodeURIComponent(match[1]) } : { page: 'overview' };
  }

  function renderChrome() {
    document.documentElement.lang = state.lang === 'zh' ? 'zh-CN' : 'en';
    document.title = t('title');
    $('#title').textContent = t('title');
    $('#lang').textContent = t('language');
    $('#sign-in-title').textContent = t('signInTitle');
    const signIn = window.ConcordSignIn;
    $('#sign-in-help').textContent = t(signIn.mode === 'oidc' ? 'signInOidcHelp' : 'signInHelp');
    $('#sign-in-form').hidden = signIn.mode === 'oidc';
    $('#oidc-sign-in').hidden = signIn.mode !== 'oidc';
    $('#oidc-sign-in').textContent = t('signInOidc');
    $('#sign-in-problem').hidden = !signIn.problem;
    $('#sign-in-problem').textContent = signIn.problem ? t(signIn.problem) : '';
    $('#token-label').textContent = t('tokenLabel');
    $('#sign-in-button').textContent = t('signIn');
    $('#sign-out').textContent = t('signOut');
    $('#since-label').textContent = t('since');
    $('#until-label').textContent = t('until');
    $('#grouping-label').textContent = t('grouping');
    for (const option of $('#grouping').options) option.textContent = t(option.value);
    $('#apply').textContent = t('apply');
    $('#nav-overview').textContent = t('overview');
    const who = claims();
    $('#who').textContent = token() ? `${t('signedInAs')}: ${who.name || who.sub || '?'}${who.operator ? ` (${t('operator')})` : ''}` : '';
  }

  function showError(error) {
    const box = $('#error');
    box.hidden = false;
    box.textContent = `${t('errorPrefix')}: ${error.message}${error.code ? ` (${error.code})` : ''}`;
    box.dataset.code = error.code || '';
  }

  function renderPage() {
    for (const c of state.charts) c.destroy();
    state.charts = [];
    state.tables = {};
    const content = $('#content');
    content.replaceChildren();
    if (!state.data) return;
    const started = performance.now();
    content.append(state.route.page === 'alliance' ? renderAlliance(state.data) : renderOverview(state.data));
    // For the benchmark and the tests: how long the page took to draw the answer (built and
    // drawn; data-painted-ms: until the frame after, i.e. on the screen).
    content.dataset.renderMs = String(Math.round(performance.now() - started));
    content.dataset.ready = state.route.page;
    requestAnimationFrame(() =>
      setTimeout(() => {
        content.dataset.paintedMs = String(Math.round(performance.now() - started));
      }, 0),
    );
  }

  async function load() {
    renderChrome();
    const signedIn = Boolean(token());
    $('#sign-in').hidden = signedIn;
    $('#app').hidden = !signedIn;
    if (!signedIn) return;
    $('#error').hidden = true;
    state.route = route();
    const content = $('#content');
    delete content.dataset.ready;
    delete content.dataset.paintedMs;
    state.data = null;
    renderPage();
    content.append(el('p', { class: 'loading', text: t('loading') }));
    const variables = { since: state.since, until: state.until, grouping: state.grouping };
    try {
      const asked = performance.now();
      const data =
        state.route.page === 'alliance'
          ? await graphql(ALLIANCE, { ...variables, slug: state.route.slug, fiscalYear: Number(state.until.slice(0, 4)) })
          : await graphql(OVERVIEW, variables);
      state.openVotes =
        state.route.page === 'alliance' && data.alliance
          ? (await graphql(OPEN_VOTES, { slug: state.route.slug })).alliance
          : null;
      content.dataset.answerMs = String(Math.round(performance.now() - asked));
      state.data = data;
      renderPage();
      followOpenVotes();
    } catch (error) {
      content.replaceChildren();
      showError(error);
      if (error.code === 'UNAUTHENTICATED') {
        window.ConcordSignIn.forget();
        $('#sign-in').hidden = false;
        $('#app').hidden = true;
      }
    }
  }

  function init() {
    // A token handed over in the fragment (#token=…, never sent to a server) signs in once.
    const handed = window.location.hash.match(/^#token=([^&]+)/);
    if (handed) {
      sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(handed[1]));
      history.replaceState(null, '', window.location.pathname + '#/');
    }
    $('#since').value = state.since;
    $('#until').value = state.until;
    $('#grouping').value = state.grouping;
    $('#sign-in-form').addEventListener('submit', (event) => {
      event.preventDefault();
      const value = $('#token').value.trim().replace(/^Bearer\s+/i, '').replace(/^export TOKEN=/, '');
      if (!value) return;
      sessionStorage.setItem(TOKEN_KEY, value);
      $('#token').value = '';
      load();
    });
    $('#oidc-sign-in').addEventListener('click', () => window.ConcordSignIn.signIn(window.location.hash));
    $('#sign-out').addEventListener('click', async () => {
      await window.ConcordSignIn.signOut();
      state.data = null;
      renderPage();
      load();
    });
    window.addEventListener('concord:signed-out', load);
    $('#lang').addEventListener('click', () => {
      state.lang = state.lang === 'zh' ? 'en' : 'zh';
      localStorage.setItem(LANG_KEY, state.lang);
      renderChrome();
      renderPage(); // the same answer in the other language: no new request
    });
    $('#window').addEventListener('submit', (event) => {
      event.preventDefault();
      state.since = $('#since').value;
      state.until = $('#until').value;
      state.grouping = $('#grouping').value;
      load();
    });
    window.addEventListener('hashchange', load);
    setInterval(() => {
      if (token() && !document.hidden) refreshOpenVotes();
    }, LIVE_SECONDS * 1000);
    window.ConcordSignIn.ready.then(load);
  }

  init();
})();
