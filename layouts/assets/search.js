/* search.js: the search page (/search/). Plain JavaScript, no dependencies.
 *
 * Reads the index that sitegen writes (Sources/SiteGen/Search/): search/manifest.json first, then
 * only the shards that hold the query's terms, then the fragment files of the results on screen.
 * Text from the index is only ever inserted as text (textContent, text nodes); the one piece of
 * markup this script makes around content is <mark> for matched words.
 *
 * Query terms are normalized exactly like the build does (SearchText.swift): keep them in step.
 */
(function () {
  'use strict';

  // ---- Normalization (mirror of SearchText.swift) --------------------------------------------

  var STOP = new Set(('a an and are as at be but by for from has have he her his in is it its of on ' +
    'or she that the their they this to was were which will with').split(' '));
  var WORD_CHAR = /[\p{L}\p{M}\p{N}]/u;
  var ASCII_WORD = /^[0-9A-Za-z]$/;
  var ASCII = /^[\x00-\x7f]*$/;
  var HANGUL_WORD = /^[\uAC00-\uD7A3]+$/;
  var HANGUL = /[\u1100-\u11FF\u3130-\u318F\uAC00-\uD7A3]/;
  var FOLDS = { 'ß': 'ss', 'æ': 'ae', 'œ': 'oe', 'ø': 'o', 'đ': 'd', 'ł': 'l', 'ı': 'i', 'ς': 'σ' };

  function isIdeograph(cp) {
    return (cp >= 0x3040 && cp <= 0x30FF) || (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x4E00 && cp <= 0x9FFF) ||
      (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x20000 && cp <= 0x2FA1F);
  }

  /* The words of text with their positions: [{word, start, end}]; apostrophes inside words dropped. */
  function words(text) {
    var out = [];
    var word = '', start = -1, end = -1, apostrophe = false, i = 0;
    function flush() {
      if (word) out.push({ word: word, start: start, end: end });
      word = ''; start = -1; apostrophe = false;
    }
    for (var ch of text) {
      var cp = ch.codePointAt(0);
      var here = i;
      i += ch.length;
      if (cp < 128 ? ASCII_WORD.test(ch) : (!isIdeograph(cp) && WORD_CHAR.test(ch))) {
        if (!word) start = here;
        word += ch; end = i; apostrophe = false;
        continue;
      }
      if ((cp === 39 || cp === 0x2019) && word && !apostrophe) { apostrophe = true; continue; }
      flush();
      if (cp >= 128 && isIdeograph(cp)) { out.push({ word: ch, start: here, end: i }); }
    }
    flush();
    return out;
  }

  function fold(word) {
    if (HANGUL_WORD.test(word)) return word;
    var s = word.toLowerCase().normalize('NFD').replace(/\p{M}/gu, '');
    return s.replace(/[ßæœøđłıς]/g, function (c) { return FOLDS[c]; }).normalize('NFC');
  }

  function stem(w) {
    if (w.length < 4 || !/^[a-z]+$/.test(w)) return w;
    if (w.length >= 5 && (w.endsWith('ies') || w.endsWith('ied'))) w = w.slice(0, -3) + 'y';
    else if (w.endsWith('s') && !w.endsWith('ss') && !w.endsWith('us') && !w.endsWith('is')) w = w.slice(0, -1);
    var suffix = w.endsWith('ing') ? 3 : w.endsWith('ed') ? 2 : 0;
    if (suffix && w.length - suffix >= 3 && /[aeiouy]/.test(w.slice(0, w.length - suffix))) {
      w = w.slice(0, -suffix);
      var last = w[w.length - 1];
      if (w.length >= 2 && w[w.length - 2] === last && 'aeiouylsz'.indexOf(last) < 0) w = w.slice(0, -1);
    }
    if (w.length >= 7 && w.endsWith('ly')) w = w.slice(0, -2);
    while (w.length > 3 && w.endsWith('e')) w = w.slice(0, -1);
    return w;
  }

  /* The folded form of a word (no stemming). */
  function folded(word) { return ASCII.test(word) ? word.toLowerCase() : fold(word); }

  /* The index term of one word, or null (stop word, one character, too long). */
  function term(word) {
    var w = folded(word);
    if (!ASCII.test(w)) return Array.from(w).length <= 40 ? w : null;
    if (w.length < 2 || w.length > 40 || STOP.has(w)) return null;
    return stem(w);
  }

  /* Query tokens: {word, term, prefix}. The word being typed (the last, with no space after it,
   * from three letters on) and Hangul words (particles attach to them) also match every term that
   * starts with them. */
  function analyze(query) {
    var list = words(query), tokens = [], seen = new Set();
    list.forEach(function (w, k) {
      var t = term(w.word);
      if (!t) return;
      var typing = k === list.length - 1 && w.end === query.length;
      var f = folded(w.word);
      var prefix = (typing && Array.from(f).length >= 3) || HANGUL.test(w.word) ? f : null;
      var key = t + '\u0000' + prefix;
      if (seen.has(key)) return;
      seen.add(key);
      tokens.push({ word: w.word, term: t, prefix: prefix });
    });
    return tokens;
  }

  function matchesTerm(t, token) {
    return t === token.term || (token.prefix !== null && t.startsWith(token.prefix));
  }

  /* The first term of a text, like SearchText.term(_:) in Swift (for tests). */
  function termOf(text) {
    var list = words(text);
    for (var i = 0; i < list.length; i++) { var t = term(list[i].word); if (t !== null) return t; }
    return null;
  }

  window.SiteSearch = { words: words, fold: fold, stem: stem, term: term, termOf: termOf, analyze: analyze };

  // ---- Index access ----------------------------------------------------------------------------

  var app = document.getElementById('search-app');
  if (!app) return;
  var PAGE_SIZE = 10, FACET_SHOWN = 8, MAX_PREFIX_SHARDS = 3, MAX_PREFIX_TERMS = 200, PREFIX_WEIGHT = 0.6;
  var manifestURL = new URL(app.getAttribute('data-manifest'), location.href);
  var DIGITS = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_';
  var CONTINUATION = '!#$%()*+,./:;=?@';
  var digitValue = new Int8Array(128).fill(-1), continuationValue = new Int8Array(128).fill(-1);
  for (var d = 0; d < DIGITS.length; d++) digitValue[DIGITS.charCodeAt(d)] = d;
  for (var c = 0; c < CONTINUATION.length; c++) continuationValue[CONTINUATION.charCodeAt(c)] = c;

  var index = null;          // the manifest, decoded
  var manifestPromise = null;
  var shards = new Map();    // shard number -> Promise of {t, p}
  var fragments = new Map(); // fragment file number -> Promise of [fragment]
  var postingsCache = new Map(); // term -> {docs, scores}

  function fetchJSON(path, options) {
    return fetch(new URL(path, manifestURL), options).then(function (response) {
      if (!response.ok) throw new Error(response.status + ' ' + response.url);
      return response.json();
    });
  }

  function loadManifest() {
    if (!manifestPromise) {
      manifestPromise = fetchJSON(manifestURL.href, { cache: 'no-cache' }).then(function (m) {
        index = decodeManifest(m);
        return index;
      });
      manifestPromise.catch(function () { manifestPromise = null; });
    }
    return manifestPromise;
  }

  function decodeManifest(m) {
    var n = m.count, f = m.facets;
    var binary = atob(f.data), bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    var position = 0;
    function read(bits) {
      var value = 0;
      for (var k = 0; k < bits; k++, position++) value = (value << 1) | ((bytes[position >> 3] >> (7 - (position & 7))) & 1);
      return value;
    }
    var authors = new Array(n), categories = new Array(n), years = new Int32Array(n);
    function rice(k) {
      var high = 0;
      while (position < bytes.length * 8 && read(1) === 1) high++;
      return high * (1 << k) + read(k);
    }
    for (var doc = 0; doc < n; doc++) {
      var a = [], cs = [];
      for (var na = read(f.countBits); na > 0; na--) a.push(rice(f.authorRice));
      for (var nc = read(f.countBits); nc > 0; nc--) cs.push(rice(f.categoryRice));
      authors[doc] = a; categories[doc] = cs;
    }
    m.years.forEach(function (run, k) {
      var endDoc = k + 1 < m.years.length ? m.years[k + 1][1] : n;
      for (var doc2 = run[1]; doc2 < endDoc; doc2++) years[doc2] = run[0];
    });
    var scale = new Float64Array(64);
    for (var level = 0; level < 64; level++) scale[level] = Math.exp(level / 63 * Math.log1p(m.maxScore)) - 1;
    function withLinks(list, base) {
      return list.map(function (entry) { return [entry[0], entry[1], base + encodeURIComponent(entry[0]) + '/']; });
    }
    var yearValues = m.years.map(function (run) { return run[0]; });
    return { id: m.id, count: n, shards: m.shards, perFile: m.documentsPerFile,
             firstYear: yearValues.length ? Math.min.apply(null, yearValues) : 0,
             lastYear: yearValues.length ? Math.max.apply(null, yearValues) : 0,
             authorList: withLinks(m.authors, m.authorsURL), categoryList: withLinks(m.categories, m.categoriesURL),
             authors: authors, categories: categories, years: years, scale: scale };
  }

  function lastAtOrBefore(sorted, value) {
    var low = 0, high = sorted.length;
    while (low < high) {
      var middle = (low + high) >> 1;
      if (value < sorted[middle]) high = middle; else low = middle + 1;
    }
    return low - 1;
  }

  function firstAtOrAfter(sorted, value) {
    var low = 0, high = sorted.length;
    while (low < high) {
      var middle = (low + high) >> 1;
      if (sorted[middle] < value) low = middle + 1; else high = middle;
    }
    return low;
  }

  function shardsFor(token) {
    var first = Math.max(0, lastAtOrBefore(index.shards, token.term));
    var needed = [first];
    if (token.prefix !== null) {
      var from = Math.max(0, lastAtOrBefore(index.shards, token.prefix));
      var to = Math.min(Math.max(0, lastAtOrBefore(index.shards, token.prefix + '\uffff')), from + MAX_PREFIX_SHARDS - 1);
      for (var s = from; s <= to; s++) if (needed.indexOf(s) < 0) needed.push(s);
    }
    return needed;
  }

  function loadShard(number) {
    if (!shards.has(number)) {
      var promise = fetchJSON('shards/' + number + '.json?v=' + index.id);
      promise.catch(function () { shards.delete(number); });
      shards.set(number, promise);
    }
    return shards.get(number);
  }

  /* The fragment of a document: from the file of its group (documentsPerFile to a file). */
  function loadFragment(id) {
    var file = Math.floor(id / index.perFile);
    if (!fragments.has(file)) {
      var promise = fetchJSON('docs/' + file + '.json?v=' + index.id);
      promise.catch(function () { fragments.delete(file); });
      fragments.set(file, promise);
    }
    return fragments.get(file).then(function (group) { return group[id % index.perFile]; });
  }

  function postings(t, encoded) {
    var cached = postingsCache.get(t);
    if (cached) return cached;
    var docs = [], scores = [], high = 0, previous = -1, pending = -1;
    for (var i = 0; i < encoded.length; i++) {
      var code = encoded.charCodeAt(i), part = continuationValue[code];
      if (part >= 0) { high = high * 16 + part; continue; }
      var value = digitValue[code];
      if (pending < 0) { pending = previous + 1 + high * 64 + value; high = 0; }
      else { docs.push(pending); scores.push(index.scale[value]); previous = pending; pending = -1; }
    }
    cached = { docs: docs, scores: scores };
    postingsCache.set(t, cached);
    return cached;
  }

  /* Every document that matches all tokens, best first (then newest): an array of ids. */
  function match(tokens, loaded) {
    var n = index.count, total = new Float64Array(n), matched = new Uint8Array(n);
    tokens.forEach(function (token, k) {
      var best = new Float64Array(n);
      shardsFor(token).forEach(function (number) {
        var shard = loaded.get(number);
        var at = firstAtOrAfter(shard.t, token.term);
        if (shard.t[at] === token.term) add(best, postings(token.term, shard.p[at]), 1);
        if (token.prefix === null) return;
        for (var i = firstAtOrAfter(shard.t, token.prefix), taken = 0;
          i < shard.t.length && taken < MAX_PREFIX_TERMS && shard.t[i].startsWith(token.prefix); i++, taken++) {
          if (shard.t[i] !== token.term) add(best, postings(shard.t[i], shard.p[i]), PREFIX_WEIGHT);
        }
      });
      for (var doc = 0; doc < n; doc++) {
        if (best[doc] > 0 && matched[doc] === k) { matched[doc] = k + 1; total[doc] += best[doc]; }
      }
    });
    var count = 0;
    for (var doc = 0; doc < n; doc++) if (matched[doc] === tokens.length) count++;
    var results = new Int32Array(count);
    for (var doc2 = 0, at = 0; doc2 < n; doc2++) if (matched[doc2] === tokens.length) results[at++] = doc2;
    results.sort(function (a, b) { return total[b] - total[a] || b - a; });
    return results;
  }

  function add(best, list, weight) {
    for (var i = 0; i < list.docs.length; i++) {
      var score = list.scores[i] * weight;
      if (score > best[list.docs[i]]) best[list.docs[i]] = score;
    }
  }

  // ---- Page state ------------------------------------------------------------------------------

  var input = document.getElementById('search-input');
  var form = input.form;
  var status = document.getElementById('search-status');
  var layout = document.getElementById('search-layout');
  var filtersBox = document.getElementById('search-filters');
  var list = document.getElementById('search-results');
  var pager = document.getElementById('search-pagination');
  var browse = document.getElementById('search-browse');
  var GROUPS = [
    { key: 'category', title: 'Category' },
    { key: 'author', title: 'Author' },
    { key: 'year', title: 'Year' },
  ];
  var state = { query: '', tokens: [], results: [], page: 1, filters: { category: new Set(), author: new Set(), year: new Set() },
                expanded: {}, sequence: 0 };

  var collator = new Intl.Collator();

  function inGroup(key, doc) {
    var chosen = state.filters[key];
    if (chosen.size === 0) return true;
    if (key === 'year') return chosen.has(index.years[doc]);
    var values = key === 'category' ? index.categories[doc] : index.authors[doc];
    for (var i = 0; i < values.length; i++) if (chosen.has(values[i])) return true;
    return false;
  }

  /* One pass over the results: those that pass every filter, and per facet group the counts
   * among the results that pass the other groups' filters (counts: Map of value to count). */
  function facetSummary(results) {
    var categoryCounts = new Int32Array(index.categoryList.length), authorCounts = new Int32Array(index.authorList.length);
    var firstYear = index.firstYear, yearCounts = new Int32Array(index.lastYear - firstYear + 1);
    var filtering = state.filters.category.size + state.filters.author.size + state.filters.year.size > 0;
    var filtered = filtering ? [] : Array.from(results);
    for (var i = 0; i < results.length; i++) {
      var doc = results[i], cs = index.categories[doc], as = index.authors[doc], k;
      var c = true, a = true, y = true;
      if (filtering) {
        c = inGroup('category', doc); a = inGroup('author', doc); y = inGroup('year', doc);
        if (c && a && y) filtered.push(doc);
      }
      if (a && y) for (k = 0; k < cs.length; k++) categoryCounts[cs[k]]++;
      if (c && y) for (k = 0; k < as.length; k++) authorCounts[as[k]]++;
      if (c && a) yearCounts[index.years[doc] - firstYear]++;
    }
    function map(counts, offset) {
      var result = new Map();
      for (var v = 0; v < counts.length; v++) if (counts[v]) result.set(v + offset, counts[v]);
      return result;
    }
    return { filtered: filtered,
             counts: { category: map(categoryCounts, 0), author: map(authorCounts, 0), year: map(yearCounts, firstYear) } };
  }

  function facetLabel(group, value) {
    if (group === 'category') return index.categoryList[value][1];
    if (group === 'author') return index.authorList[value][1];
    return String(value);
  }

  function facetSlug(group, value) {
    if (group === 'category') return index.categoryList[value][0];
    if (group === 'author') return index.authorList[value][0];
    return String(value);
  }

  /* Reads ?q=, ?page=, ?category=, ?author=, ?year= into the state (after the manifest loaded). */
  function readFilters(params) {
    GROUPS.forEach(function (group) {
      params.getAll(group.key).forEach(function (slug) {
        var values = group.key === 'year' ? [Number(slug)]
          : (group.key === 'category' ? index.categoryList : index.authorList)
            .map(function (entry, i) { return entry[0] === slug ? i : -1; }).filter(function (i) { return i >= 0; });
        values.forEach(function (v) { if (!isNaN(v)) state.filters[group.key].add(v); });
      });
    });
  }

  function writeURL() {
    var params = new URLSearchParams();
    if (state.query) params.set('q', state.query);
    GROUPS.forEach(function (group) {
      state.filters[group.key].forEach(function (value) { params.append(group.key, facetSlug(group.key, value)); });
    });
    if (state.page > 1) params.set('page', String(state.page));
    var search = params.toString();
    history.replaceState(null, '', location.pathname + (search ? '?' + search : '') + location.hash);
  }

  // ---- Searching and rendering -----------------------------------------------------------------

  function search(startedAt) {
    var sequence = ++state.sequence;
    var query = input.value;
    var tokens = analyze(query);
    state.query = query.trim();
    state.tokens = tokens;
    if (!state.query) {
      showIdle();
      writeURL();
      app.setAttribute('data-search-ms', (performance.now() - startedAt).toFixed(1));
      app.setAttribute('data-search-query', '');
      return Promise.resolve();
    }
    if (tokens.length === 0) { state.results = []; return render(sequence, startedAt); }
    return loadManifest().then(function () {
      var numbers = [];
      tokens.forEach(function (token) {
        shardsFor(token).forEach(function (s) { if (numbers.indexOf(s) < 0) numbers.push(s); });
      });
      return Promise.all(numbers.map(loadShard)).then(function (loaded) {
        if (sequence !== state.sequence) return;
        var byNumber = new Map();
        numbers.forEach(function (s, k) { byNumber.set(s, loaded[k]); });
        state.results = match(tokens, byNumber);
        return render(sequence, startedAt);
      });
    }).catch(function (error) {
      if (sequence !== state.sequence) return;
      layout.hidden = true;
      status.textContent = 'Search is not available right now: the index could not be loaded.';
      if (window.console) console.error(error);
    });
  }

  function showIdle() {
    state.results = [];
    layout.hidden = true;
    browse.hidden = false;
    var count = index ? index.count : null;
    status.textContent = count === null ? 'Type a word to search all publications.'
      : 'Type a word to search ' + count + (count === 1 ? ' publication.' : ' publications.');
  }

  function render(sequence, startedAt) {
    var summary = facetSummary(state.results), filtered = summary.filtered;
    var pages = Math.max(1, Math.ceil(filtered.length / PAGE_SIZE));
    state.page = Math.min(Math.max(1, state.page), pages);
    var shown = filtered.slice((state.page - 1) * PAGE_SIZE, state.page * PAGE_SIZE);
    return Promise.all(shown.map(loadFragment)).then(function (docs) {
      if (sequence !== state.sequence) return;
      var restore = document.activeElement && document.activeElement.getAttribute('data-focus-key');
      renderStatus(filtered.length);
      renderFacets(summary.counts);
      renderResults(shown, docs);
      renderPager(pages);
      layout.hidden = state.results.length === 0;
      browse.hidden = state.results.length > 0;
      if (restore) {
        var again = app.querySelector('[data-focus-key="' + restore + '"]');
        if (again) again.focus();
      }
      writeURL();
      app.setAttribute('data-search-ms', (performance.now() - startedAt).toFixed(1));
      app.setAttribute('data-search-query', state.query);
    });
  }

  function renderStatus(count) {
    var text = count + (count === 1 ? ' result' : ' results') + ' for \u201c' + state.query + '\u201d';
    if (count !== state.results.length) text += ' (filtered from ' + state.results.length + ')';
    if (state.results.length === 0) {
      text = 'No results for \u201c' + state.query + '\u201d. Check the spelling, try fewer or more general words' +
        (state.tokens.length === 0 ? ' (very common words such as \u201cthe\u201d are not searched)' : '') +
        ', or browse the archive below.';
    }
    status.textContent = text;
  }

  function el(name, className, text) {
    var node = document.createElement(name);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function renderFacets(allCounts) {
    var heading = filtersBox.firstElementChild;
    filtersBox.replaceChildren(heading);
    GROUPS.forEach(function (group) {
      var counts = allCounts[group.key];
      state.filters[group.key].forEach(function (v) { if (!counts.has(v)) counts.set(v, 0); });
      if (counts.size === 0) return;
      var values = Array.from(counts.keys()).sort(function (a, b) {
        if (group.key === 'year') return b - a;
        return counts.get(b) - counts.get(a) || collator.compare(facetLabel(group.key, a), facetLabel(group.key, b));
      });
      var expanded = state.expanded[group.key] || values.length <= FACET_SHOWN + 1;
      var fieldset = el('fieldset', 'search-facet');
      fieldset.appendChild(el('legend', 'search-facet-title', group.title));
      var ul = el('ul', 'search-facet-list');
      values.forEach(function (value, i) {
        if (!expanded && i >= FACET_SHOWN && !state.filters[group.key].has(value)) return;
        var li = el('li'), label = el('label', 'search-facet-option'), box = el('input');
        box.type = 'checkbox';
        box.name = group.key;
        box.value = facetSlug(group.key, value);
        box.checked = state.filters[group.key].has(value);
        box.setAttribute('data-focus-key', group.key + ':' + box.value);
        box.addEventListener('change', function () {
          if (box.checked) state.filters[group.key].add(value); else state.filters[group.key].delete(value);
          state.page = 1;
          render(state.sequence, performance.now());
        });
        label.append(box, ' ', el('span', 'search-facet-name', facetLabel(group.key, value)), ' ',
          el('span', 'search-count', '(' + counts.get(value) + ')'));
        li.appendChild(label);
        ul.appendChild(li);
      });
      fieldset.appendChild(ul);
      if (values.length > FACET_SHOWN + 1) {
        var more = el('button', 'search-facet-more', expanded ? 'Show fewer' : 'Show all ' + values.length);
        more.type = 'button';
        more.setAttribute('aria-expanded', String(expanded));
        more.setAttribute('data-focus-key', 'more:' + group.key);
        more.addEventListener('click', function () {
          state.expanded[group.key] = !expanded;
          render(state.sequence, performance.now());
        });
        fieldset.appendChild(more);
      }
      filtersBox.appendChild(fieldset);
    });
  }

  /* The words of a text with their terms, computed once per text (titles and bodies repeat). */
  var analyzed = new Map();
  function analyzeText(text) {
    var list = analyzed.get(text);
    if (!list) {
      list = words(text);
      list.forEach(function (w) { w.term = term(w.word); });
      if (analyzed.size > 500) analyzed.clear();
      analyzed.set(text, list);
    }
    return list;
  }

  /* Which tokens a word matches, as a bit set (0: none). */
  function tokenBits(w, tokens) {
    var bits = 0;
    if (w.term !== null) for (var k = 0; k < tokens.length && k < 31; k++) if (matchesTerm(w.term, tokens[k])) bits |= 1 << k;
    return bits;
  }

  /* text[from..<to] with the matched words in <mark>; `list` is analyzeText(text). */
  function highlighted(text, tokens, list, from, to) {
    list = list || analyzeText(text);
    if (from === undefined) { from = 0; to = list.length - 1; }
    var fragment = document.createDocumentFragment();
    var position = from <= to ? list[from].start : 0, end = from <= to ? list[to].end : text.length;
    if (from === 0) position = 0;
    if (to === list.length - 1) end = text.length;
    for (var i = from; i <= to; i++) {
      var w = list[i];
      if (!tokenBits(w, tokens)) continue;
      if (w.start > position) fragment.append(text.slice(position, w.start));
      fragment.append(el('mark', null, text.slice(w.start, w.end)));
      position = w.end;
    }
    if (position < end) fragment.append(text.slice(position, end));
    return fragment;
  }

  /* About 35 words of the body around the run of 25 words that matches the most query words;
   * the summary when the body's start has none. */
  function snippet(doc, tokens) {
    var body = doc.b || '', list = analyzeText(body), bits = list.map(function (w) { return tokenBits(w, tokens); });
    var best = -1, bestCount = 0, all = tokens.length;
    for (var i = 0; i < list.length && bestCount < all; i++) {
      if (!bits[i]) continue;
      var seen = 0;
      for (var j = i; j < Math.min(list.length, i + 25); j++) seen |= bits[j];
      var count = 0;
      for (var s = seen; s; s &= s - 1) count++;
      if (count > bestCount) { best = i; bestCount = count; }
    }
    if (best < 0 && doc.s) return highlighted(doc.s, tokens);
    if (list.length === 0) return document.createTextNode('');
    var from = Math.max(0, best - 8), to = Math.min(list.length - 1, from + 34);
    var fragment = document.createDocumentFragment();
    if (from > 0) fragment.append('\u2026 ');
    fragment.append(highlighted(body, tokens, list, from, to));
    if (to < list.length - 1 || body.length > list[to].end + 1) fragment.append(' \u2026');
    return fragment;
  }

  function linkList(values, entries) {
    var fragment = document.createDocumentFragment();
    values.forEach(function (value, i) {
      if (i > 0) fragment.append(', ');
      var a = el('a', null, entries[value][1]);
      a.href = entries[value][2];
      fragment.append(a);
    });
    return fragment;
  }

  function renderResults(shown, docs) {
    var items = shown.map(function (id, i) {
      var doc = docs[i], li = el('li', 'search-result'), article = el('article', 'search-result-body');
      var h = el('h3', 'search-result-title'), a = el('a');
      a.href = doc.u;
      a.appendChild(highlighted(doc.t, state.tokens));
      h.appendChild(a);
      var meta = el('p', 'card-meta search-result-meta');
      var time = el('time', null, doc.d);
      time.dateTime = doc.i;
      var published = el('span', 'meta-item');
      published.append('Published ', time);
      meta.appendChild(published);
      var authors = index.authors[id];
      if (authors.length) {
        var by = el('span', 'meta-item');
        by.append('By ', linkList(authors, index.authorList));
        meta.appendChild(by);
      }
      var text = el('p', 'search-snippet');
      text.appendChild(snippet(doc, state.tokens));
      article.append(h, meta, text);
      var categories = index.categories[id];
      if (categories.length) {
        var tags = el('ul', 'tag-list');
        tags.setAttribute('aria-label', 'Categories');
        categories.forEach(function (value) {
          var tag = el('li'), link = el('a', null, index.categoryList[value][1]);
          link.href = index.categoryList[value][2];
          tag.appendChild(link);
          tags.appendChild(tag);
        });
        article.appendChild(tags);
      }
      li.appendChild(article);
      return li;
    });
    list.replaceChildren.apply(list, items);
    list.start = (state.page - 1) * PAGE_SIZE + 1;
  }

  function renderPager(pages) {
    pager.hidden = pages <= 1;
    if (pages <= 1) { pager.replaceChildren(); return; }
    var info = el('p', 'pagination-status', 'Page ' + state.page + ' of ' + pages);
    var ul = el('ul', 'pagination-links');
    function button(label, page, className, current) {
      var li = el('li'), b = el('button', 'search-page-button' + (className ? ' ' + className : ''), label);
      b.type = 'button';
      b.setAttribute('data-focus-key', 'page:' + (className === 'number' ? page : className));
      if (current) b.setAttribute('aria-current', 'page');
      if (page < 1 || page > pages || current) b.disabled = !current;
      if (className === 'number') b.setAttribute('aria-label', 'Page ' + page);
      b.addEventListener('click', function () { goTo(page); });
      li.appendChild(b);
      ul.appendChild(li);
    }
    button('\u2190 Previous', state.page - 1, 'previous');
    var first = Math.max(1, Math.min(state.page - 3, pages - 6)), last = Math.min(pages, first + 6);
    for (var p = first; p <= last; p++) button(String(p), p, 'number', p === state.page);
    button('Next \u2192', state.page + 1, 'next');
    pager.replaceChildren(info, ul);
  }

  function goTo(page) {
    state.page = page;
    render(state.sequence, performance.now()).then(function () {
      status.focus();
      status.scrollIntoView({ block: 'start' });
    });
  }

  // ---- Wiring ----------------------------------------------------------------------------------

  status.tabIndex = -1;
  form.addEventListener('submit', function (event) {
    event.preventDefault();
    state.page = 1;
    search(performance.now());
  });
  input.addEventListener('input', function (event) {
    state.page = 1;
    search(event.timeStamp || performance.now());
  });

  var params = new URLSearchParams(location.search);
  input.value = params.get('q') || '';
  document.querySelectorAll('input[name="q"]').forEach(function (other) { if (other !== input) other.value = input.value; });
  loadManifest().then(function () {
    readFilters(params);
    state.page = Number(params.get('page')) || 1;
    return search(performance.now());
  }).catch(function () { search(performance.now()); });
  if (!input.value) showIdle();
})();
