/*
 * 工友 · 工会工作台: a single page in plain JavaScript over the admin API (/api/v1), signed in by
 * the session cookie a one-time link set. Every text from the server is put into the page as
 * text (textContent), never as HTML.
 */
;(() => {
  const main = document.getElementById('main')
  const toastEl = document.getElementById('toast')
  const state = { me: null, timeZone: 'Asia/Shanghai', categories: null, charts: [], route: 0 }

  // The words for stored codes (statuses, roles, kinds, platforms) are the bot's, sent with /api/v1/me.
  const labels = () => state.me.labels
  const ACTION_LABELS = { accept: '受理', reply: '回复', resolve: '办结', reject: '驳回', transfer: '转办', escalate: '升级', supervise: '督办' }
  const ACTION_PROMPTS = {
    reply: '回复内容（提出人会在聊天中收到）',
    resolve: '办理结果',
    reject: '驳回理由',
    escalate: '升级理由（可不填）',
    transfer: '转办说明（可不填）',
  }
  const COLORS = ['#b91c1c', '#2563eb', '#f59e0b', '#16a34a', '#7c3aed', '#0891b2', '#db2777', '#65a30d', '#ea580c', '#475569', '#0d9488']

  // ------------------------------------------------------------------ DOM helpers

  /** h('div', { class: 'x', onclick: fn }, 'text', child…): strings become text nodes, never HTML. */
  function h(tag, attrs) {
    const el = document.createElement(tag)
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue
      if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v)
      else if (k === 'class') el.className = v
      else if (k === 'dataset') Object.assign(el.dataset, v)
      else if (k === 'value') el.value = v
      else el.setAttribute(k, v === true ? '' : String(v))
    }
    for (let i = 2; i < arguments.length; i++) append(el, arguments[i])
    return el
  }
  function append(el, ...children) {
    for (const child of children) {
      if (child === undefined || child === null || child === false) continue
      if (Array.isArray(child)) append(el, ...child)
      else el.appendChild(child instanceof Node ? child : document.createTextNode(String(child)))
    }
  }
  function render(...children) {
    disposeCharts()
    main.replaceChildren()
    append(main, children)
  }
  function toast(text, error) {
    toastEl.textContent = text
    toastEl.className = error ? 'toast error' : 'toast'
    toastEl.hidden = false
    clearTimeout(toast.timer)
    toast.timer = setTimeout(() => (toastEl.hidden = true), error ? 6000 : 3500)
  }

  // ------------------------------------------------------------------ formatting

  function fmt(iso, withTime) {
    if (!iso) return '—'
    const opts = { timeZone: state.timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hourCycle: 'h23' }
    if (withTime !== false) Object.assign(opts, { hour: '2-digit', minute: '2-digit' })
    return new Intl.DateTimeFormat('zh-CN', opts).format(new Date(iso)).replace(/\//g, '-')
  }
  const pct = (share) => (share === null || share === undefined ? '—' : `${Math.round(share * 1000) / 10}%`)
  function hours(n) {
    if (n === null || n === undefined) return '—'
    if (n >= 48) return `${Math.round((n / 24) * 10) / 10} 天`
    if (n >= 1) return `${Math.round(n * 10) / 10} 小时`
    const minutes = Math.round(n * 60)
    return minutes < 1 ? '不到 1 分钟' : `${minutes} 分钟`
  }
  function currentMonth() {
    const parts = new Intl.DateTimeFormat('en-CA', { timeZone: state.timeZone, year: 'numeric', month: '2-digit' }).formatToParts(new Date())
    return `${parts.find((p) => p.type === 'year').value}-${parts.find((p) => p.type === 'month').value}`
  }

  // ------------------------------------------------------------------ API

  class ApiFailure extends Error {
    constructor(message, status, code, detail) {
      super(message)
      this.status = status
      this.code = code
      this.detail = detail || {}
    }
  }

  async function api(path, opts) {
    opts = opts || {}
    const headers = {}
    let body
    if (opts.file) {
      headers['content-type'] = opts.type
      body = opts.file
    } else if (opts.body !== undefined) {
      headers['content-type'] = 'application/json'
      body = JSON.stringify(opts.body)
    }
    const res = await fetch(path, { method: opts.method || 'GET', credentials: 'same-origin', headers, body })
    const json = (res.headers.get('content-type') || '').includes('json') ? await res.json() : null
    if (res.status === 401) {
      signedOut(json?.error ? json.error.message : '')
      throw new ApiFailure('需要重新登录', 401, 'unauthorized')
    }
    const error = json?.error || {}
    if (!res.ok) throw new ApiFailure(error.message || `请求失败（${res.status}）`, res.status, error.code, error)
    return json
  }

  function signedOut(reason) {
    state.me = null
    document.getElementById('who').replaceChildren()
    document.getElementById('tabs').classList.add('hidden')
    render(
      h(
        'div',
        { class: 'card signed-out' },
        h('h1', null, '请登录工作台'),
        h('p', { class: 'muted' }, reason || '尚未登录，或登录已过期。'),
        h('p', null, '在飞书、企业微信或微信中向工友发送“登录后台”，点击私信中的一次性链接即可登录。'),
      ),
    )
  }

  function failed(error) {
    if (error instanceof ApiFailure && error.status === 401) return
    render(h('div', { class: 'card' }, h('h2', null, '出错了'), h('p', { class: 'muted' }, error.message || String(error))))
  }

  // ------------------------------------------------------------------ charts

  function disposeCharts() {
    for (const c of state.charts) c.dispose()
    state.charts = []
  }
  window.addEventListener('resize', () => state.charts.forEach((c) => c.resize()))

  /** Draws an ECharts option into a container already in the page. */
  function chart(el, option) {
    if (!window.echarts) return
    const c = window.echarts.init(el, null, { renderer: 'canvas' })
    // Marked ready once drawn (animations finished), so a screenshot never catches a chart half-grown.
    c.on('finished', () => (el.dataset.ready = '1'))
    c.setOption(
      Object.assign({ color: COLORS, textStyle: { fontFamily: getComputedStyle(document.documentElement).fontFamily }, animationDuration: 300 }, option),
    )
    state.charts.push(c)
    return c
  }

  function chartCard(title, key, cls, sub) {
    return h(
      'div',
      { class: `card ${cls || ''}` },
      h('div', { class: 'card-head' }, h('h2', null, title), sub ? h('span', { class: 'muted small' }, sub) : null),
      h('div', { class: 'chart', dataset: { chart: key } }),
    )
  }
  const chartEl = (key) => main.querySelector(`[data-chart="${key}"]`)
  const noData = { title: { text: '暂无数据', left: 'center', top: 'middle', textStyle: { color: '#9ca3af', fontSize: 14, fontWeight: 'normal' } } }

  // ------------------------------------------------------------------ shared bits

  function statusBadge(status) {
    return h('span', { class: `badge ${status}` }, labels().requestStatus[status] || status)
  }
  function tags(r) {
    return h(
      'span',
      { class: 'tags' },
      statusBadge(r.status),
      r.urgent ? h('span', { class: 'badge urgent' }, labels().urgent) : null,
      r.overdue ? h('span', { class: 'badge overdue' }, '超期') : null,
      r.supervised ? h('span', { class: 'badge supervised' }, labels().supervised) : null,
      r.anonymous ? h('span', { class: 'badge anon' }, '匿名') : null,
    )
  }
  function kpi(label, value, unit, hint, tone, key) {
    return h(
      'div',
      { class: `kpi ${tone || ''}`, dataset: { kpi: key || '' } },
      h('div', { class: 'label' }, label),
      h('div', { class: 'value' }, String(value), unit ? h('small', null, unit) : null),
      hint ? h('div', { class: 'hint' }, hint) : null,
    )
  }
  function pageHead(title, sub, ...right) {
    return h(
      'div',
      { class: 'page-head' },
      h('div', null, h('h1', null, title), sub ? h('div', { class: 'sub' }, sub) : null),
      h('div', { class: 'actions' }, right),
    )
  }
  async function categories() {
    if (!state.categories) state.categories = (await api('/api/v1/categories')).categories
    return state.categories
  }
  const isAdmin = () => state.me && state.me.person.role === 'admin'

  // ------------------------------------------------------------------ overview

  async function overview() {
    const o = await api('/api/v1/stats/overview')
    const t = o.totals
    const s = o.satisfaction
    const d = o.deadline.answer
    render(
      pageHead(
        '总览',
        `范围：${o.scope} · 全部诉求 ${t.total} 件，其中匿名 ${t.anonymous} 件`,
        h('a', { class: 'btn', href: '#/requests?status=open' }, '查看未办结'),
        h('a', { class: 'btn primary', href: '#/reports' }, '月度报表'),
      ),
      h(
        'div',
        { class: 'kpis' },
        kpi('未办结', t.open, '件', `其中紧急 ${t.urgentOpen} 件`, 'blue', 'open'),
        kpi('已超期', t.overdue, '件', '超过答复或办结时限', t.overdue ? 'red' : '', 'overdue'),
        kpi('已办结', t.resolved, '件', `驳回 ${t.rejected} 件`, 'green', 'resolved'),
        kpi('按时答复率', pct(d.share), '', `按时 ${d.onTime} · 超时 ${d.late}`, 'amber', 'answerShare'),
        kpi('平均首次答复', hours(o.times.firstAnswerHours), '', `平均办结 ${hours(o.times.resultHours)}`, '', 'answerTime'),
        kpi('满意度', s.average === null ? '—' : s.average.toFixed(2), s.average === null ? '' : '/ 5', `共 ${s.count} 条评价`, 'green', 'satisfaction'),
        kpi('督办中', t.supervisedOpen, '件', '', 'red', 'supervised'),
      ),
      h(
        'div',
        { class: 'charts' },
        chartCard('按月趋势', 'byMonth', 'wide', '新增与办结'),
        chartCard('按类别', 'byCategory'),
        chartCard('按单位', 'byUnit'),
        chartCard('首次答复是否按时', 'deadline'),
        chartCard('满意度分布', 'satisfaction'),
      ),
      supervisedCard(o.supervised),
    )

    chart(chartEl('byMonth'), {
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      grid: { left: 40, right: 16, top: 36, bottom: 28 },
      xAxis: { type: 'category', data: o.byMonth.map((m) => `${m.month.replace('-', '年')}月`) },
      yAxis: { type: 'value', minInterval: 1 },
      series: [
        { name: '新增', type: 'bar', barMaxWidth: 28, data: o.byMonth.map((m) => m.filed), itemStyle: { borderRadius: [4, 4, 0, 0] } },
        { name: '办结', type: 'line', smooth: true, symbolSize: 7, data: o.byMonth.map((m) => m.resolved), color: '#16a34a' },
      ],
    })
    const cats = o.byCategory.slice().reverse()
    chart(
      chartEl('byCategory'),
      cats.length
        ? {
            tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
            legend: { top: 0 },
            grid: { left: 8, right: 24, top: 36, bottom: 8, containLabel: true },
            xAxis: { type: 'value', minInterval: 1 },
            yAxis: { type: 'category', data: cats.map((c) => c.name) },
            series: [
              { name: '未办结', type: 'bar', stack: 'n', data: cats.map((c) => c.open), color: '#b91c1c', barMaxWidth: 22 },
              { name: '已办结', type: 'bar', stack: 'n', data: cats.map((c) => c.resolved), color: '#16a34a', barMaxWidth: 22 },
              { name: '其他', type: 'bar', stack: 'n', data: cats.map((c) => c.total - c.open - c.resolved), color: '#cbd5e1', barMaxWidth: 22 },
            ],
          }
        : noData,
    )
    const units = o.byUnit.slice(0, 12)
    chart(
      chartEl('byUnit'),
      units.length
        ? {
            tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
            legend: { top: 0 },
            grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
            xAxis: { type: 'category', data: units.map((u) => u.label.split('/').pop()), axisLabel: { interval: 0, rotate: units.length > 5 ? 30 : 0 } },
            yAxis: { type: 'value', minInterval: 1 },
            series: [
              { name: '未办结', type: 'bar', stack: 'u', data: units.map((u) => u.open), color: '#b91c1c', barMaxWidth: 36 },
              { name: '已办结', type: 'bar', stack: 'u', data: units.map((u) => u.resolved), color: '#16a34a', barMaxWidth: 36 },
              { name: '超期', type: 'line', data: units.map((u) => u.overdue), color: '#f59e0b', symbolSize: 8 },
            ],
          }
        : noData,
    )
    const slices = [
      { name: '按时', value: d.onTime, itemStyle: { color: '#16a34a' } },
      { name: '超时', value: d.late, itemStyle: { color: '#b91c1c' } },
      { name: '未到期', value: d.pending, itemStyle: { color: '#cbd5e1' } },
    ].filter((x) => x.value > 0)
    chart(
      chartEl('deadline'),
      slices.length
        ? {
            tooltip: { trigger: 'item', formatter: '{b}：{c} 件（{d}%）' },
            legend: { bottom: 0 },
            title: {
              text: pct(d.share),
              subtext: '按时答复率',
              left: 'center',
              top: '38%',
              textStyle: { fontSize: 22, color: '#1f2937' },
              subtextStyle: { color: '#6b7280' },
            },
            series: [{ type: 'pie', radius: ['52%', '72%'], center: ['50%', '46%'], label: { show: false }, data: slices }],
          }
        : noData,
    )
    chart(
      chartEl('satisfaction'),
      s.count
        ? {
            tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
            grid: { left: 36, right: 16, top: 30, bottom: 28 },
            title: { text: `平均 ${s.average.toFixed(2)} 分`, right: 8, top: 0, textStyle: { fontSize: 13, color: '#4b5563', fontWeight: 'normal' } },
            xAxis: { type: 'category', data: s.distribution.map((x) => `${x.score} 分`) },
            yAxis: { type: 'value', minInterval: 1 },
            series: [
              {
                type: 'bar',
                barMaxWidth: 40,
                data: s.distribution.map((x) => ({
                  value: x.count,
                  itemStyle: { color: ['#b91c1c', '#f97316', '#f59e0b', '#84cc16', '#16a34a'][x.score - 1], borderRadius: [4, 4, 0, 0] },
                })),
              },
            ],
          }
        : noData,
    )
  }

  function supervisedCard(items) {
    return h(
      'div',
      { class: 'card' },
      h('div', { class: 'card-head' }, h('h2', null, '督办事项'), h('a', { href: '#/requests?supervised=true', class: 'small' }, '全部督办')),
      items.length === 0
        ? h('p', { class: 'empty' }, '没有督办事项')
        : h(
            'div',
            { class: 'table-wrap' },
            h(
              'table',
              null,
              h(
                'thead',
                null,
                h(
                  'tr',
                  null,
                  h('th', null, '编号'),
                  h('th', null, '状态'),
                  h('th', null, '类别'),
                  h('th', { class: 'hide-sm' }, '单位'),
                  h('th', null, '内容'),
                ),
              ),
              h(
                'tbody',
                null,
                items.map((x) =>
                  h(
                    'tr',
                    { class: 'clickable', onclick: () => go(`#/requests/${x.number}`) },
                    h('td', { class: 'nowrap' }, h('a', { href: `#/requests/${x.number}` }, x.number)),
                    h(
                      'td',
                      null,
                      h(
                        'span',
                        { class: 'tags' },
                        h('span', { class: `badge ${x.status}` }, x.statusLabel),
                        x.overdue ? h('span', { class: 'badge overdue' }, '超期') : null,
                      ),
                    ),
                    h('td', { class: 'nowrap' }, x.category),
                    h('td', { class: 'hide-sm' }, x.unit),
                    h('td', null, h('div', { class: 'content' }, x.content)),
                  ),
                ),
              ),
            ),
          ),
    )
  }

  // ------------------------------------------------------------------ requests

  async function requestList(params) {
    const query = new URLSearchParams(params)
    if (!query.get('pageSize')) query.set('pageSize', '20')
    const [cats, units, list] = await Promise.all([categories(), api('/api/v1/units'), api(`/api/v1/requests?${query}`)])
    const set = (key, value) => {
      const next = new URLSearchParams(params)
      if (value === '' || value === false || value === null) next.delete(key)
      else next.set(key, value)
      if (key !== 'page') next.delete('page')
      go(`#/requests${next.toString() ? `?${next}` : ''}`)
    }
    const select = (key, label, options) =>
      h(
        'select',
        { 'aria-label': label, onchange: (e) => set(key, e.target.value) },
        h('option', { value: '' }, label),
        options.map(([v, text]) => h('option', { value: v, selected: params.get(key) === String(v) }, text)),
      )
    const check = (key, label) =>
      h(
        'label',
        { class: 'check' },
        h('input', { type: 'checkbox', checked: params.get(key) === 'true', onchange: (e) => set(key, e.target.checked ? 'true' : '') }),
        label,
      )
    const search = h('input', { type: 'search', placeholder: '搜索编号或内容', value: params.get('q') || '', 'aria-label': '搜索' })
    search.addEventListener('keydown', (e) => e.key === 'Enter' && set('q', search.value.trim()))
    const pageNo = list.page
    const pages = Math.max(1, Math.ceil(list.total / list.pageSize))
    render(
      pageHead('诉求', `共 ${list.total} 件`),
      h(
        'div',
        { class: 'card' },
        h(
          'div',
          { class: 'filters' },
          select('status', '全部状态', [['open', '未办结'], ['done', '已办结或驳回'], ...Object.entries(labels().requestStatus)]),
          select(
            'category',
            '全部类别',
            cats.map((c) => [c.id, c.name]),
          ),
          select(
            'unit',
            '全部单位',
            units.units.map((u) => [u.id, u.label]),
          ),
          check('overdue', '超期'),
          check('supervised', '督办'),
          check('urgent', '紧急'),
          search,
        ),
        list.items.length === 0
          ? h('p', { class: 'empty' }, '没有符合条件的诉求')
          : h(
              'div',
              { class: 'table-wrap' },
              h(
                'table',
                { class: 'requests' },
                h(
                  'thead',
                  null,
                  h(
                    'tr',
                    null,
                    h('th', null, '编号'),
                    h('th', null, '状态'),
                    h('th', null, '类别'),
                    h('th', { class: 'hide-sm' }, '单位'),
                    h('th', null, '内容'),
                    h('th', { class: 'hide-sm' }, '提出人'),
                    h('th', { class: 'hide-sm' }, '提交时间'),
                  ),
                ),
                h(
                  'tbody',
                  null,
                  list.items.map((r) =>
                    h(
                      'tr',
                      { class: 'clickable', dataset: { number: r.number }, onclick: () => go(`#/requests/${r.number}`) },
                      h('td', { class: 'nowrap' }, h('a', { href: `#/requests/${r.number}` }, r.number)),
                      h('td', null, tags(r)),
                      h('td', { class: 'nowrap' }, r.category.name),
                      h('td', { class: 'hide-sm' }, r.unit ? r.unit.label : ''),
                      h('td', null, h('div', { class: 'content' }, r.content)),
                      h('td', { class: 'hide-sm nowrap' }, r.anonymous ? '匿名职工' : r.requester ? r.requester.name : ''),
                      h('td', { class: 'hide-sm nowrap' }, fmt(r.createdAt)),
                    ),
                  ),
                ),
              ),
            ),
        h(
          'div',
          { class: 'pager' },
          h('span', null, `第 ${pageNo} / ${pages} 页`),
          h('button', { class: 'btn small', disabled: pageNo <= 1, onclick: () => set('page', String(pageNo - 1)) }, '上一页'),
          h('button', { class: 'btn small', disabled: pageNo >= pages, onclick: () => set('page', String(pageNo + 1)) }, '下一页'),
        ),
      ),
    )
  }

  async function requestPage(number) {
    const r = await api(`/api/v1/requests/${encodeURIComponent(number)}`)
    showRequest(r)
  }

  function showRequest(r) {
    const field = (k, v) =>
      h('div', { class: 'field' }, h('div', { class: 'k' }, k), h('div', { class: 'v' }, v === null || v === undefined || v === '' ? '—' : v))
    const requester = r.anonymous ? '匿名职工（身份不公开）' : r.requester ? `${r.requester.name}（${r.requester.employeeNo}）` : '—'
    const panel = h('div', { class: 'card', id: 'act-panel' }, h('h2', null, '办理'))
    if (!r.canAct) append(panel, h('p', { class: 'muted' }, '这件诉求目前不在您这一级办理，您可以查看进度。'))
    else if (r.actions.length === 0) append(panel, h('p', { class: 'muted' }, '这件诉求已经办结，无需再办理。'))
    else {
      const form = h('div', { class: 'action-form hidden' })
      const buttons = r.actions.map((a) =>
        h('button', { class: `btn ${a === 'reply' || a === 'accept' ? 'primary' : ''}`, dataset: { action: a }, onclick: () => choose(a) }, ACTION_LABELS[a]),
      )
      append(panel, h('div', { class: 'actions' }, buttons), form)
      const choose = (action) => {
        buttons.forEach((b) => b.classList.toggle('active', b.dataset.action === action))
        if (action === 'accept' || action === 'supervise') return submit({ action })
        form.replaceChildren()
        form.classList.remove('hidden')
        const to =
          action === 'transfer' ? h('input', { type: 'text', name: 'to', placeholder: '转办给（干部工号，例如 D2001）', 'aria-label': '转办给' }) : null
        const text = h('textarea', { name: 'text', placeholder: ACTION_PROMPTS[action], 'aria-label': ACTION_PROMPTS[action] })
        const send = h('button', { class: 'btn primary', type: 'button', dataset: { submit: action } }, `提交${ACTION_LABELS[action]}`)
        send.addEventListener('click', () => {
          const body = { action, text: text.value }
          if (to) body.to = to.value.trim()
          submit(body, send)
        })
        append(
          form,
          to,
          text,
          h(
            'div',
            { class: 'row' },
            send,
            h(
              'button',
              {
                class: 'btn',
                type: 'button',
                onclick: () => {
                  form.classList.add('hidden')
                  buttons.forEach((b) => b.classList.remove('active'))
                },
              },
              '取消',
            ),
          ),
        )
        ;(to || text).focus()
      }
      const submit = async (body, button) => {
        if (button) button.disabled = true
        try {
          const result = await api(`/api/v1/requests/${encodeURIComponent(r.number)}/actions`, { method: 'POST', body })
          toast(result.message)
          showRequest(result.request)
        } catch (error) {
          if (button) button.disabled = false
          if (!(error instanceof ApiFailure && error.status === 401)) toast(error.message, true)
        }
      }
    }
    panel.classList.add('area-act')
    render(
      h('a', { class: 'back', href: '#/requests' }, '← 返回诉求列表'),
      h(
        'div',
        { class: 'detail request-detail' },
        h(
          'div',
          { class: 'card area-info' },
          h('div', { class: 'card-head' }, h('h1', null, r.number), tags(r)),
          h(
            'div',
            { class: 'fields' },
            field('类别', r.category.name),
            field('提出单位', r.unit?.label),
            field('当前层级', r.level?.label),
            field('承办人', r.assignee?.name),
            field('提出人', requester),
            r.filedBy ? field('代报人', r.filedBy.name) : null,
            field('提交时间', fmt(r.createdAt)),
            field('答复时限', fmt(r.answerDueAt)),
            field('办结时限', fmt(r.resultDueAt)),
            field('首次答复', fmt(r.firstAnsweredAt)),
            r.rating ? field('满意度', `${r.rating} 分${r.ratingComment ? `（${r.ratingComment}）` : ''}`) : null,
          ),
          h('h3', null, '诉求内容'),
          h('p', { class: 'request-content', dataset: { field: 'content' } }, r.content),
          r.result ? [h('h3', { style: 'margin-top:12px' }, '办理结果'), h('p', { class: 'request-content' }, r.result)] : null,
          r.rejectReason ? [h('h3', { style: 'margin-top:12px' }, '驳回理由'), h('p', { class: 'request-content' }, r.rejectReason)] : null,
          r.attachments?.length
            ? [
                h('h3', { style: 'margin-top:12px' }, `附件 ${r.attachments.length} 个`),
                h(
                  'ul',
                  { class: 'attachments', id: 'attachments' },
                  r.attachments.map((a, i) =>
                    h(
                      'li',
                      null,
                      h('a', { href: a.url, target: '_blank', rel: 'noopener' }, a.name || `${a.kind === 'image' ? '照片' : '文件'} ${i + 1}`),
                      ` · ${a.size >= 1048576 ? `${(a.size / 1048576).toFixed(1)} MB` : `${Math.max(1, Math.round(a.size / 1024))} KB`} · ${fmt(a.createdAt)}${a.uploader ? ` · ${a.uploader}` : ''}`,
                    ),
                  ),
                ),
              ]
            : null,
        ),
        panel,
        h(
          'div',
          { class: 'card area-timeline' },
          h('h2', null, '时间线'),
          h(
            'ol',
            { class: 'timeline', id: 'timeline' },
            r.timeline.map((e) => h('li', null, h('div', { class: 'when' }, fmt(e.at)), h('div', { class: 'what' }, e.sentence))),
          ),
        ),
      ),
    )
  }

  // ------------------------------------------------------------------ reports

  async function reports(params) {
    const month = params.get('month') || currentMonth()
    const r = await api(`/api/v1/reports/monthly?month=${encodeURIComponent(month)}`)
    const picker = h('input', { type: 'month', value: month, 'aria-label': '月份', onchange: (e) => e.target.value && go(`#/reports?month=${e.target.value}`) })
    const t = r.totals
    const lineHead = ['新增', '匿名', '办结', '驳回', '未办结', '按时答复', '超时答复']
    const lineCells = (x) => [x.filed, x.anonymous, x.resolved, x.rejected, x.open, x.answeredOnTime, x.answeredLate].map((v) => h('td', { class: 'num' }, v))
    const table = (first, rows, cell, extra) =>
      rows.length === 0
        ? h('p', { class: 'empty' }, '本月没有数据')
        : h(
            'div',
            { class: 'table-wrap' },
            h(
              'table',
              null,
              h(
                'thead',
                null,
                h(
                  'tr',
                  null,
                  h('th', null, first),
                  lineHead.map((x) => h('th', { class: 'num' }, x)),
                  extra ? h('th', { class: 'num' }, extra) : null,
                ),
              ),
              h(
                'tbody',
                null,
                rows.map((x) =>
                  h(
                    'tr',
                    null,
                    h('td', null, cell(x)),
                    lineCells(x),
                    extra ? h('td', { class: 'num' }, x.ratingAverage === null ? '—' : x.ratingAverage) : null,
                  ),
                ),
              ),
            ),
          )
    render(
      pageHead(
        `${month.replace('-', ' 年 ')} 月报`,
        `范围：${r.scope} · 按 ${r.timeZone} 计`,
        picker,
        h(
          'a',
          { class: 'btn primary', href: `/api/v1/reports/monthly.xlsx?month=${encodeURIComponent(month)}`, download: `工会诉求月报-${month}.xlsx` },
          '下载 Excel',
        ),
        h(
          'a',
          {
            class: 'btn',
            href: `/api/v1/reports/ledger.xlsx?from=${encodeURIComponent(`${month}-01`)}&to=${encodeURIComponent(`${month}-${String(new Date(Number(month.slice(0, 4)), Number(month.slice(5, 7)), 0).getDate()).padStart(2, '0')}`)}`,
            download: `工会诉求台账-${month}.xlsx`,
          },
          '下载诉求台账',
        ),
      ),
      h(
        'div',
        { class: 'kpis' },
        kpi('本月新增', t.filed, '件', `匿名 ${t.anonymous} · 紧急 ${t.urgent}`, 'blue', 'filed'),
        kpi('本月办结', t.resolved, '件', `驳回 ${t.rejected} 件`, 'green', 'resolved'),
        kpi('新增中未办结', t.open, '件', '', '', 'open'),
        kpi('按时答复率', pct(r.deadline.answer.share), '', `按时 ${r.deadline.answer.onTime} · 超时 ${r.deadline.answer.late}`, 'amber'),
        kpi('按时办结率', pct(r.deadline.result.share), '', `平均办结 ${hours(r.times.resultHours)}`, 'amber'),
        kpi(
          '满意度',
          r.satisfaction.average === null ? '—' : r.satisfaction.average.toFixed(2),
          r.satisfaction.average === null ? '' : '/ 5',
          `本月 ${r.satisfaction.count} 条评价`,
          'green',
        ),
        kpi('督办事项', t.supervised, '件', '', 'red'),
      ),
      r.activities
        ? h(
            'div',
            { class: 'card', style: 'margin-bottom:16px' },
            h('h2', null, '活动、公告与投票'),
            h(
              'div',
              { class: 'fields' },
              ...[
                ['进行中的活动', r.activities.campaigns],
                ['发布的公告', r.activities.announcements],
                ['已阅确认', r.activities.acknowledgements],
                ['报名', r.activities.signups],
                ['投票与问卷', r.activities.polls],
                ['投票与答卷', r.activities.votes],
              ].map(([k, v]) => h('div', { class: 'field' }, h('div', { class: 'k' }, k), h('div', { class: 'v' }, v))),
            ),
          )
        : null,
      h(
        'div',
        { class: 'grid' },
        h(
          'div',
          { class: 'card' },
          h('h2', null, '按类别'),
          table('类别', r.byCategory, (x) => x.category, '满意度'),
        ),
        h(
          'div',
          { class: 'card' },
          h('h2', null, '按单位'),
          table('单位', r.byUnit, (x) => x.unit),
        ),
        supervisedCard(r.supervised),
      ),
    )
  }

  // ------------------------------------------------------------------ announcements, polls, campaigns

  async function activities(params) {
    const [polls, anns, campaigns] = await Promise.all([api('/api/v1/polls?pageSize=50'), api('/api/v1/announcements?pageSize=50'), api('/api/v1/campaigns')])
    const selected = params.get('poll') || polls.items[0]?.number
    const detail = selected ? await api(`/api/v1/polls/${encodeURIComponent(selected)}`).catch(() => null) : null
    render(
      pageHead('公告与投票', '本人负责范围内的公告、活动与投票（投票只显示票数，不显示谁投了什么）'),
      h(
        'div',
        { class: 'detail' },
        h(
          'div',
          { class: 'card' },
          h('h2', null, `投票与问卷（${polls.total}）`),
          polls.items.length === 0
            ? h('p', { class: 'empty' }, '还没有投票。在群里发送“发起投票 标题 | 选项 | 选项”即可发起。')
            : h(
                'div',
                { class: 'table-wrap' },
                h(
                  'table',
                  null,
                  h(
                    'thead',
                    null,
                    h(
                      'tr',
                      null,
                      h('th', null, '编号'),
                      h('th', null, '标题'),
                      h('th', null, '状态'),
                      h('th', { class: 'hide-sm' }, '范围'),
                      h('th', { class: 'num' }, '人数'),
                      h('th', { class: 'hide-sm' }, '截止'),
                    ),
                  ),
                  h(
                    'tbody',
                    null,
                    polls.items.map((p) =>
                      h(
                        'tr',
                        { class: 'clickable', onclick: () => go(`#/activities?poll=${p.number}`) },
                        h('td', { class: 'nowrap' }, h('a', { href: `#/activities?poll=${p.number}` }, p.number)),
                        h('td', null, p.title, p.anonymous ? h('span', { class: 'badge anon', style: 'margin-left:6px' }, '匿名') : null),
                        h('td', null, h('span', { class: `badge ${p.status === 'open' ? 'new' : 'ok'}` }, labels().pollStatus[p.status] || p.status)),
                        h('td', { class: 'hide-sm' }, p.targets.join('、') || '—'),
                        h('td', { class: 'num' }, p.voters),
                        h('td', { class: 'hide-sm nowrap' }, fmt(p.deadline)),
                      ),
                    ),
                  ),
                ),
              ),
        ),
        h(
          'div',
          { class: 'card' },
          h(
            'div',
            { class: 'card-head' },
            h('h2', null, detail ? `${detail.number} ${detail.title}` : '投票结果'),
            detail ? h('span', { class: 'muted small' }, `${detail.voters} / ${detail.eligible} 人`) : null,
          ),
          detail?.options.length
            ? h('div', { class: 'chart short', dataset: { chart: 'poll' } })
            : h('p', { class: 'empty' }, detail ? '问卷结果请在聊天中发送“问卷结果 编号”查看' : '选择一个投票查看结果'),
        ),
      ),
      h(
        'div',
        { class: 'card', style: 'margin-top:16px' },
        h('h2', null, `公告（${anns.total}）`),
        anns.items.length === 0
          ? h('p', { class: 'empty' }, '还没有公告')
          : h(
              'div',
              { class: 'table-wrap' },
              h(
                'table',
                null,
                h(
                  'thead',
                  null,
                  h(
                    'tr',
                    null,
                    h('th', null, '编号'),
                    h('th', null, '标题'),
                    h('th', null, '类型'),
                    h('th', null, '状态'),
                    h('th', { class: 'hide-sm' }, '范围'),
                    h('th', { class: 'num' }, '发送'),
                    h('th', { class: 'num' }, '已阅'),
                    h('th', { class: 'num' }, '报名'),
                  ),
                ),
                h(
                  'tbody',
                  null,
                  anns.items.map((a) =>
                    h(
                      'tr',
                      null,
                      h('td', { class: 'nowrap' }, a.number),
                      h('td', null, a.title, a.campaign ? h('div', { class: 'muted small' }, a.campaign) : null),
                      h('td', { class: 'nowrap' }, labels().announcementKinds[a.kind] || a.kind),
                      h('td', null, h('span', { class: `badge ${a.status === 'sent' ? 'ok' : a.status === 'cancelled' ? '' : 'new'}` }, a.statusLabel)),
                      h('td', { class: 'hide-sm' }, a.allUnits ? '全部单位' : a.targets.join('、')),
                      h('td', { class: 'num' }, a.deliveries),
                      h('td', { class: 'num' }, a.requireAck ? a.acknowledgements : '—'),
                      h('td', { class: 'num' }, a.signup ? `${a.signups}${a.waitlisted ? ` +${a.waitlisted}` : ''}` : '—'),
                    ),
                  ),
                ),
              ),
            ),
      ),
      h(
        'div',
        { class: 'card', style: 'margin-top:16px' },
        h('h2', null, `活动（${campaigns.campaigns.length}）`),
        campaigns.campaigns.length === 0
          ? h('p', { class: 'empty' }, '还没有活动')
          : h(
              'ul',
              { class: 'tree' },
              campaigns.campaigns.map((c) =>
                h(
                  'li',
                  null,
                  h('span', { class: 'name' }, c.name, ' ', h('span', { class: 'badge' }, labels().announcementKinds[c.kind] || c.kind)),
                  h(
                    'span',
                    { class: 'muted small nowrap' },
                    `${c.startsAt ? fmt(c.startsAt, false) : ''}${c.endsAt ? ` 至 ${fmt(c.endsAt, false)}` : ''} · 公告 ${c.announcements} · 诉求 ${c.requests}`,
                  ),
                ),
              ),
            ),
      ),
    )
    if (detail?.options.length) {
      const opts = detail.options.slice().reverse()
      chart(chartEl('poll'), {
        tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
        grid: { left: 8, right: 96, top: 8, bottom: 8, containLabel: true },
        xAxis: { type: 'value', minInterval: 1 },
        yAxis: { type: 'category', data: opts.map((o) => o.label) },
        series: [
          {
            type: 'bar',
            barMaxWidth: 26,
            data: opts.map((o) => o.votes),
            label: { show: true, position: 'right', formatter: (x) => `${x.value} 票（${opts[x.dataIndex].percent}%）` },
            itemStyle: { borderRadius: [0, 4, 4, 0] },
          },
        ],
      })
    }
  }

  // ------------------------------------------------------------------ roster and groups

  async function roster(params) {
    const query = new URLSearchParams({ pageSize: '50' })
    for (const k of ['unit', 'q', 'bound', 'page']) if (params.get(k)) query.set(k, params.get(k))
    const [units, people, groups, bindings] = await Promise.all([
      api('/api/v1/units'),
      api(`/api/v1/people?${query}`),
      api('/api/v1/chat-groups'),
      isAdmin() ? api(`/api/v1/bindings?status=${params.get('bindings') === 'all' ? 'all' : 'pending'}`) : null,
    ])
    const set = (key, value) => {
      const next = new URLSearchParams(params)
      if (!value) next.delete(key)
      else next.set(key, value)
      if (key !== 'page') next.delete('page')
      go(`#/roster${next.toString() ? `?${next}` : ''}`)
    }
    const result = h('div', { id: 'import-result' })
    const fileInput = h('input', { type: 'file', accept: '.xlsx,.csv', class: 'hidden', onchange: () => upload(fileInput.files[0]) })
    const upload = async (file) => {
      if (!file) return
      const type = /\.csv$/i.test(file.name) ? 'text/csv' : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'
      result.replaceChildren(h('p', { class: 'muted' }, `正在导入 ${file.name}…`))
      try {
        const r = await api('/api/v1/roster/import', { method: 'POST', file, type })
        const directory = (r.directory || []).map(
          (d) => `${PLATFORMS[d.platform] || d.platform}通讯录绑定 ${d.bound} 人${d.error ? '（查询失败，请检查权限）' : ''}`,
        )
        toast([`导入完成：新增 ${r.created} 人，更新 ${r.updated} 人，未变 ${r.unchanged} 人，新建单位 ${r.unitsCreated} 个`, ...directory].join('；'))
        roster(params)
      } catch (error) {
        const rejected = error.detail?.rejected || []
        result.replaceChildren(
          h('div', { class: 'notice' }, error.message),
          rejected.length
            ? h(
                'div',
                { class: 'card', style: 'margin-bottom:16px' },
                h('h2', null, '以下行需要修改（整份文件未导入）'),
                h(
                  'ul',
                  null,
                  rejected.map((r) => h('li', null, r.reason)),
                ),
              )
            : null,
        )
      }
      fileInput.value = ''
    }
    const search = h('input', { type: 'search', placeholder: '姓名或工号', value: params.get('q') || '', 'aria-label': '搜索人员' })
    search.addEventListener('keydown', (e) => e.key === 'Enter' && set('q', search.value.trim()))
    const pages = Math.max(1, Math.ceil(people.total / people.pageSize))
    const unitOptions = units.units.map((u) => [u.id, u.label])
    const depth = (u) => (u.path === '' ? 0 : u.path.split('/').length)
    const minDepth = Math.min(...units.units.map(depth))
    render(
      pageHead(
        '花名册与群',
        `范围：${units.scope}`,
        h('a', { class: 'btn', href: '/api/v1/roster/template.xlsx', download: '花名册模板.xlsx' }, '下载模板'),
        h('a', { class: 'btn', href: '/api/v1/roster/export.xlsx', download: '花名册.xlsx' }, '导出花名册'),
        isAdmin() ? [fileInput, h('button', { class: 'btn primary', onclick: () => fileInput.click() }, '导入花名册')] : null,
      ),
      result,
      h(
        'div',
        { class: 'detail' },
        h(
          'div',
          { class: 'card' },
          h('div', { class: 'card-head' }, h('h2', null, `人员（${people.total}）`)),
          h(
            'div',
            { class: 'filters' },
            h(
              'select',
              { 'aria-label': '单位', onchange: (e) => set('unit', e.target.value) },
              h('option', { value: '' }, '全部单位'),
              unitOptions.map(([v, t]) => h('option', { value: v, selected: params.get('unit') === String(v) }, t)),
            ),
            h(
              'select',
              { 'aria-label': '绑定情况', onchange: (e) => set('bound', e.target.value) },
              h('option', { value: '' }, '绑定情况'),
              h('option', { value: 'true', selected: params.get('bound') === 'true' }, '已绑定'),
              h('option', { value: 'false', selected: params.get('bound') === 'false' }, '未绑定'),
            ),
            search,
          ),
          people.items.length === 0
            ? h('p', { class: 'empty' }, '没有符合条件的人员')
            : h(
                'div',
                { class: 'table-wrap' },
                h(
                  'table',
                  null,
                  h(
                    'thead',
                    null,
                    h(
                      'tr',
                      null,
                      h('th', null, '工号'),
                      h('th', null, '姓名'),
                      h('th', null, '角色'),
                      h('th', { class: 'hide-sm' }, '单位'),
                      h('th', null, '已绑定平台'),
                    ),
                  ),
                  h(
                    'tbody',
                    null,
                    people.items.map((p) =>
                      h(
                        'tr',
                        null,
                        h('td', { class: 'nowrap' }, p.employeeNo),
                        h('td', { class: 'nowrap' }, p.name),
                        h('td', { class: 'nowrap' }, p.roleLabel),
                        h('td', { class: 'hide-sm' }, p.unit ? p.unit.label : ''),
                        h(
                          'td',
                          null,
                          p.platforms.length
                            ? h(
                                'span',
                                { class: 'tags' },
                                p.platforms.map((x) => h('span', { class: 'badge ok' }, labels().platforms[x] || x)),
                              )
                            : h('span', { class: 'badge' }, '未绑定'),
                        ),
                      ),
                    ),
                  ),
                ),
              ),
          h(
            'div',
            { class: 'pager' },
            h('span', null, `第 ${people.page} / ${pages} 页`),
            h('button', { class: 'btn small', disabled: people.page <= 1, onclick: () => set('page', String(people.page - 1)) }, '上一页'),
            h('button', { class: 'btn small', disabled: people.page >= pages, onclick: () => set('page', String(people.page + 1)) }, '下一页'),
          ),
        ),
        h(
          'div',
          { class: 'card' },
          h('h2', null, '单位'),
          h(
            'ul',
            { class: 'tree' },
            units.units.map((u) =>
              h(
                'li',
                null,
                h('a', { class: 'name', href: `#/roster?unit=${u.id}`, style: `padding-left:${(depth(u) - minDepth) * 16}px` }, u.name),
                h('span', { class: 'muted small nowrap' }, `${u.people} 人 · ${u.chats} 群`),
              ),
            ),
          ),
        ),
      ),
      groupsCard(groups.groups, unitOptions, () => roster(params)),
      bindings
        ? bindingsCard(
            bindings,
            params.get('bindings') === 'all',
            (all) => set('bindings', all ? 'all' : ''),
            () => roster(params),
          )
        : null,
    )
  }

  const VOUCHED = { directory: '通讯录核验', admin: '管理员确认', code: '绑定码', claim: '自报' }

  /** Administrators: people's platform bindings; a claimed staff binding awaits confirmation here. */
  function bindingsCard(list, all, toggle, reload) {
    const act = async (b, method) => {
      try {
        await api(method === 'confirm' ? `/api/v1/bindings/${b.id}/confirm` : `/api/v1/bindings/${b.id}`, { method: method === 'confirm' ? 'POST' : 'DELETE' })
        toast(method === 'confirm' ? `已确认 ${b.person.name} 的绑定` : `已解除 ${b.person.name} 在${PLATFORMS[b.platform] || b.platform}上的绑定`)
        reload()
      } catch (error) {
        toast(error.message, true)
      }
    }
    return h(
      'div',
      { class: 'card', style: 'margin-top:16px', dataset: { card: 'bindings' } },
      h(
        'div',
        { class: 'card-head' },
        h('h2', null, all ? `身份绑定（${list.total}）` : `待确认的身份绑定（${list.total}）`),
        h('button', { class: 'btn small', onclick: () => toggle(!all) }, all ? '只看待确认' : '查看全部'),
      ),
      h('p', { class: 'muted small' }, '网格员、工会干部、管理员仅凭工号和姓名绑定时，确认前按职工身份使用。也可在聊天中发送“确认绑定 工号”或“绑定码 工号”。'),
      list.items.length === 0
        ? h('p', { class: 'empty' }, all ? '还没有人绑定' : '没有待确认的绑定')
        : h(
            'div',
            { class: 'table-wrap' },
            h(
              'table',
              null,
              h(
                'thead',
                null,
                h(
                  'tr',
                  null,
                  h('th', null, '姓名'),
                  h('th', null, '工号'),
                  h('th', null, '角色'),
                  h('th', null, '平台'),
                  h('th', null, '核验'),
                  h('th', { class: 'hide-sm' }, '绑定时间'),
                  h('th', null, '操作'),
                ),
              ),
              h(
                'tbody',
                null,
                list.items.map((b) =>
                  h(
                    'tr',
                    null,
                    h('td', { class: 'nowrap' }, b.person.name),
                    h('td', { class: 'nowrap' }, b.person.employeeNo),
                    h('td', { class: 'nowrap' }, b.person.roleLabel),
                    h('td', { class: 'nowrap' }, PLATFORMS[b.platform] || b.platform),
                    h(
                      'td',
                      null,
                      b.pending
                        ? h('span', { class: 'badge bad' }, '待确认')
                        : h('span', { class: b.vouchedBy === 'claim' ? 'badge' : 'badge ok' }, VOUCHED[b.vouchedBy] || b.vouchedBy),
                    ),
                    h('td', { class: 'hide-sm nowrap' }, fmt(b.createdAt)),
                    h(
                      'td',
                      null,
                      h(
                        'div',
                        { class: 'actions' },
                        b.vouchedBy === 'claim' ? h('button', { class: 'btn small primary', onclick: () => act(b, 'confirm') }, '确认') : null,
                        h('button', { class: 'btn small danger', onclick: () => act(b, 'delete') }, '解除'),
                      ),
                    ),
                  ),
                ),
              ),
            ),
          ),
    )
  }

  function groupsCard(groups, unitOptions, reload) {
    return h(
      'div',
      { class: 'card', style: 'margin-top:16px' },
      h('div', { class: 'card-head' }, h('h2', null, `群绑定（${groups.length}）`), h('span', { class: 'muted small' }, '也可在群里发送“绑定班组 单位名称”')),
      groups.length === 0
        ? h('p', { class: 'empty' }, '还没有群')
        : h(
            'div',
            { class: 'table-wrap' },
            h(
              'table',
              null,
              h(
                'thead',
                null,
                h('tr', null, h('th', null, '群'), h('th', null, '平台'), h('th', null, '绑定单位'), h('th', null, '用途'), h('th', null, '操作')),
              ),
              h(
                'tbody',
                null,
                groups.map((g) => {
                  const unit = h(
                    'select',
                    { 'aria-label': '单位' },
                    h('option', { value: '' }, '选择单位'),
                    unitOptions.map(([v, t]) => h('option', { value: v, selected: g.unit && g.unit.id === v }, t)),
                  )
                  const purpose = h(
                    'select',
                    { 'aria-label': '用途' },
                    h('option', { value: 'team', selected: g.purpose === 'team' }, '班组群'),
                    h('option', { value: 'officers', selected: g.purpose === 'officers' }, '干部群'),
                  )
                  const bind = async () => {
                    if (!unit.value) return toast('请选择单位', true)
                    try {
                      await api(`/api/v1/chat-groups/${g.id}/binding`, { method: 'PUT', body: { unitId: Number(unit.value), purpose: purpose.value } })
                      toast(`已将“${g.name}”绑定到所选单位`)
                      reload()
                    } catch (error) {
                      toast(error.message, true)
                    }
                  }
                  const unbind = async () => {
                    try {
                      await api(`/api/v1/chat-groups/${g.id}/binding`, { method: 'DELETE' })
                      toast(`已解除“${g.name}”的绑定`)
                      reload()
                    } catch (error) {
                      toast(error.message, true)
                    }
                  }
                  return h(
                    'tr',
                    null,
                    h('td', null, g.name),
                    h('td', { class: 'nowrap' }, labels().platforms[g.platform] || g.platform),
                    h('td', null, g.unit ? g.unit.label : h('span', { class: 'badge bad' }, '未绑定')),
                    h('td', null, purpose),
                    h(
                      'td',
                      null,
                      h(
                        'div',
                        { class: 'actions' },
                        unit,
                        h('button', { class: 'btn small primary', onclick: bind }, '绑定'),
                        g.unit ? h('button', { class: 'btn small danger', onclick: unbind }, '解除') : null,
                      ),
                    ),
                  )
                }),
              ),
            ),
          ),
    )
  }

  // ------------------------------------------------------------------ status

  async function status() {
    const p = await api('/api/v1/platforms')
    const dead = isAdmin() ? await api('/api/v1/outbox?status=dead') : null
    render(
      pageHead('平台状态', '各聊天平台的连接情况', h('button', { class: 'btn', onclick: () => status() }, '刷新')),
      h(
        'div',
        { class: 'kpis' },
        h(
          'div',
          { class: `kpi ${p.database ? 'green' : 'red'}` },
          h('div', { class: 'label' }, '数据库'),
          h('div', { class: 'value' }, p.database ? '正常' : '异常'),
        ),
        p.platforms.map((x) =>
          h(
            'div',
            { class: `kpi ${x.connected ? 'green' : 'red'}`, dataset: { platform: x.platform } },
            h('div', { class: 'label' }, labels().platforms[x.platform] || x.platform),
            h('div', { class: 'value' }, h('span', { class: `status-dot ${x.connected ? 'on' : 'off'}` }), x.connected ? '已连接' : '未连接'),
            x.detail ? h('div', { class: 'hint' }, x.detail) : null,
          ),
        ),
      ),
      p.platforms
        .filter((x) => x.login?.qrSvg)
        .map((x) =>
          h(
            'div',
            { class: 'card', style: 'margin-bottom:16px' },
            h('h2', null, `${labels().platforms[x.platform] || x.platform}登录`),
            h('p', { class: 'muted' }, '请用作为机器人的微信号扫描下面的二维码登录。二维码只有管理员可见。'),
            h('img', { class: 'qr', alt: '登录二维码', src: `data:image/svg+xml;charset=utf-8,${encodeURIComponent(x.login.qrSvg)}` }),
          ),
        ),
      dead ? deadLetters(dead) : null,
    )
  }

  function deadLetters(dead) {
    const act = async (_id, method, path, done) => {
      try {
        await api(path, { method })
        toast(done)
        status()
      } catch (error) {
        toast(error.message, true)
      }
    }
    return h(
      'div',
      { class: 'card' },
      h('div', { class: 'card-head' }, h('h2', null, `发送失败的消息（${dead.total}）`), h('span', { class: 'muted small' }, '私聊对象不显示')),
      dead.items.length === 0
        ? h('p', { class: 'empty' }, '没有发送失败的消息')
        : h(
            'div',
            { class: 'table-wrap' },
            h(
              'table',
              null,
              h(
                'thead',
                null,
                h(
                  'tr',
                  null,
                  h('th', null, '#'),
                  h('th', null, '平台'),
                  h('th', null, '对象'),
                  h('th', null, '原因'),
                  h('th', { class: 'hide-sm' }, '时间'),
                  h('th', null, '操作'),
                ),
              ),
              h(
                'tbody',
                null,
                dead.items.map((m) =>
                  h(
                    'tr',
                    null,
                    h('td', null, m.id),
                    h('td', null, labels().platforms[m.platform] || m.platform),
                    h('td', null, m.recipient),
                    h('td', null, h('div', { class: 'content' }, m.lastError || '')),
                    h('td', { class: 'hide-sm nowrap' }, fmt(m.createdAt)),
                    h(
                      'td',
                      null,
                      h(
                        'div',
                        { class: 'actions' },
                        h(
                          'button',
                          { class: 'btn small primary', onclick: () => act(m.id, 'POST', `/api/v1/outbox/${m.id}/retry`, `已重新排队 #${m.id}`) },
                          '重发',
                        ),
                        h('button', { class: 'btn small danger', onclick: () => act(m.id, 'DELETE', `/api/v1/outbox/${m.id}`, `已放弃 #${m.id}`) }, '放弃'),
                      ),
                    ),
                  ),
                ),
              ),
            ),
          ),
    )
  }

  // ------------------------------------------------------------------ tokens

  async function tokens() {
    const list = await api('/api/v1/tokens')
    const label = h('input', { type: 'text', placeholder: '用途，例如 报表脚本', 'aria-label': '令牌用途' })
    const shown = h('div')
    const create = async () => {
      try {
        const r = await api('/api/v1/tokens', { method: 'POST', body: { label: label.value.trim(), expiresInDays: 90 } })
        await tokens()
        main.querySelector('#new-token').replaceChildren(h('p', null, '新令牌只显示这一次，请妥善保存（90 天有效）：'), h('div', { class: 'token' }, r.token))
      } catch (error) {
        toast(error.message, true)
      }
    }
    const revoke = async (id) => {
      try {
        await api(`/api/v1/tokens/${id}`, { method: 'DELETE' })
        toast('已吊销')
        tokens()
      } catch (error) {
        toast(error.message, true)
      }
    }
    shown.id = 'new-token'
    render(
      pageHead('令牌', isAdmin() ? '全部人员的登录会话与接口令牌' : '您的登录会话与接口令牌'),
      h(
        'div',
        { class: 'card', style: 'margin-bottom:16px' },
        h('h2', null, '新建接口令牌'),
        h('p', { class: 'muted small' }, '供脚本调用 /api/v1（见 /docs），请求头 Authorization: Bearer 令牌；权限与您的身份和负责范围相同。'),
        h('div', { class: 'filters' }, label, h('button', { class: 'btn primary', onclick: create }, '签发')),
        shown,
      ),
      h(
        'div',
        { class: 'card' },
        h(
          'div',
          { class: 'table-wrap' },
          h(
            'table',
            null,
            h(
              'thead',
              null,
              h(
                'tr',
                null,
                h('th', null, '#'),
                h('th', null, '类型'),
                h('th', null, '人员'),
                h('th', { class: 'hide-sm' }, '签发'),
                h('th', null, '到期'),
                h('th', { class: 'hide-sm' }, '最近使用'),
                h('th', null, '状态'),
                h('th', null, ''),
              ),
            ),
            h(
              'tbody',
              null,
              list.tokens.map((t) =>
                h(
                  'tr',
                  null,
                  h('td', null, t.id),
                  h('td', { class: 'nowrap' }, t.kind === 'session' ? '登录会话' : `接口令牌${t.label ? `（${t.label}）` : ''}`),
                  h('td', { class: 'nowrap' }, `${t.person.name}`),
                  h('td', { class: 'hide-sm nowrap' }, fmt(t.createdAt)),
                  h('td', { class: 'nowrap' }, t.expiresAt ? fmt(t.expiresAt) : '长期'),
                  h('td', { class: 'hide-sm nowrap' }, fmt(t.lastUsedAt)),
                  h(
                    'td',
                    null,
                    t.current
                      ? h('span', { class: 'badge ok' }, '当前')
                      : t.active
                        ? h('span', { class: 'badge ok' }, '有效')
                        : h('span', { class: 'badge' }, t.revokedAt ? '已吊销' : '已过期'),
                  ),
                  h('td', null, t.active && !t.current ? h('button', { class: 'btn small danger', onclick: () => revoke(t.id) }, '吊销') : null),
                ),
              ),
            ),
          ),
        ),
      ),
    )
  }

  // ------------------------------------------------------------------ router

  function go(hash) {
    if (location.hash === hash) route()
    else location.hash = hash
  }

  async function route() {
    const hash = location.hash.replace(/^#/, '') || '/overview'
    const [path, qs] = hash.split('?')
    const params = new URLSearchParams(qs || '')
    const parts = path.split('/').filter(Boolean)
    const tab = parts[0] || 'overview'
    document.querySelectorAll('#tabs a').forEach((a) => a.classList.toggle('active', a.dataset.tab === tab))
    const id = ++state.route
    try {
      if (!state.me) await whoami()
      if (id !== state.route) return
      if (tab === 'requests' && parts[1]) await requestPage(decodeURIComponent(parts[1]))
      else if (tab === 'requests') await requestList(params)
      else if (tab === 'reports') await reports(params)
      else if (tab === 'activities') await activities(params)
      else if (tab === 'roster') await roster(params)
      else if (tab === 'status') await status()
      else if (tab === 'tokens') await tokens()
      else await overview()
      window.scrollTo(0, 0)
    } catch (error) {
      failed(error)
    }
  }

  async function whoami() {
    const me = await api('/api/v1/me')
    state.me = me
    state.timeZone = me.timeZone || state.timeZone
    document.getElementById('tabs').classList.remove('hidden')
    const logout = async () => {
      try {
        await api('/api/v1/auth/logout', { method: 'POST' })
      } catch (_error) {
        /* signed out either way */
      }
      signedOut('您已退出登录。')
    }
    document
      .getElementById('who')
      .replaceChildren(
        h('span', { class: 'scope' }, me.scope),
        h('span', null, `${me.person.name} · ${me.person.roleLabel}`),
        h('button', { type: 'button', onclick: logout }, '退出'),
      )
  }

  window.addEventListener('hashchange', route)
  route()
})()
