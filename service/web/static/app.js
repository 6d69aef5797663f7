// Khulasa editors' page: posts an article to /v1/digest/stream, renders each event as it arrives.
// No dependencies, no inline code (the page is served with a strict Content-Security-Policy).
"use strict";

(() => {
  // ---- Interface strings: Arabic first, English on the toggle. Article text is always right-to-left. ----
  const I18N = {
    ar: {
      pageTitle: "خلاصة — ملخّص المقالات",
      skip: "انتقل إلى نص المقال",
      brand: "خلاصة",
      tagline: "الصق مقالاً عربياً: الملخّص أولاً، ثم أبرز ما فيه والترجمة الإنجليزية.",
      langToggle: "English",
      langToggleLang: "en",
      articleLabel: "نص المقال أو HTML",
      articlePlaceholder: "الصق نص المقال هنا، أو أفلت ملف ‎.txt‎ أو ‎.html‎",
      articleHint: "يُكتشف HTML تلقائياً إذا بدأ النص بـ «<». يمكنك أيضاً إفلات ملف على هذا الحقل. ‎Ctrl+Enter‎ يرسل.",
      fileCaption: "أو من ملف",
      fileLabel: "اختر ملف ‎.txt‎ أو ‎.html‎",
      formatLabel: "الصيغة",
      formatAuto: "تلقائي",
      formatText: "نص",
      formatHtml: "HTML",
      summaryLabel: "الملخّص",
      summaryAuto: "تلقائي",
      summaryAbstractive: "توليدي (نموذج)",
      summaryExtractive: "استخلاصي (جمل من المقال)",
      translateLabel: "الترجمة الإنجليزية",
      translateFull: "المقال كاملاً",
      translateSummary: "الملخّص والأبرز فقط",
      translateNone: "بلا ترجمة",
      submit: "لخّص",
      keyTitle: "مفتاح الواجهة البرمجية مطلوب",
      keyHint: "هذه الخدمة تطلب مفتاحاً. يُحفظ في هذه الجلسة من المتصفح فقط ويُرسل في ترويسة ‎X-API-Key‎.",
      keyRejected: "لم يُقبل المفتاح. تحقّق منه وأعد إدخاله.",
      keyLabel: "المفتاح",
      keySubmit: "استخدم المفتاح",
      resultsHeading: "النتيجة",
      summaryHeading: "الملخّص",
      waiting: "يُعدّ الملخّص…",
      copyAr: "انسخ الملخّص العربي",
      copyEn: "انسخ الملخّص الإنجليزي",
      copyMd: "انسخ الأبرز (Markdown)",
      download: "نزّل JSON",
      warningsHeading: "تنبيهات",
      highlightsHeading: "أبرز ما في المقال",
      people: "أشخاص",
      places: "أماكن",
      organizations: "هيئات ومنظمات",
      keyPoints: "النقاط الرئيسية",
      quotes: "اقتباسات",
      figures: "أرقام وتواريخ",
      translationHeading: "الترجمة، جملة بجملة",
      pairsHint: "مرّر المؤشر أو انتقل بلوحة المفاتيح إلى جملة لتمييز مقابلتها. الأسهم تتنقل بين الجمل.",
      removedHeading: "أسطر حُذفت من المقال (أزرار، روابط، إعلانات)",
      historyHeading: "آخر الملخّصات",
      historyEmpty: "لا شيء بعد: تُحفظ آخر عشرة ملخّصات في هذا المتصفح.",
      historyClear: "امسح السجل",
      footer: "خلاصة: خدمة ملخّصات للأخبار العربية.",
      apiDocs: "توثيق الواجهة البرمجية",
      untitled: "(بلا عنوان)",
      none: "لا شيء",
      noEnglish: "لا ترجمة",
      working: "يعمل… يظهر الملخّص أولاً ثم الباقي.",
      done: (s, cached) => `تمّ في ${s} ث${cached ? " (من الذاكرة المؤقتة)" : ""}.`,
      copied: "نُسخ.",
      copyFailed: "تعذّر النسخ: انسخ النص يدوياً.",
      downloaded: "نُزّل الملف.",
      emptyText: "الصق نص مقال أولاً.",
      emptyTitle: "لا نص",
      fileKind: "اختر ملف ‎.txt‎ أو ‎.html‎.",
      fileTooBig: (mb) => `الملف أكبر من ${mb} م.ب.`,
      fileTitle: "تعذّرت قراءة الملف",
      fileRead: (name) => `قُرئ الملف ${name}.`,
      method: { extractive: "استخلاصي: جمل مختارة من المقال", abstractive: "توليدي: كتبه نموذج" },
      modelLabel: "النموذج",
      sections: "الأقسام",
      enSummaryMissing: (why) => `لا ملخّص إنجليزياً: ${why}`,
      enNotAsked: "لم تُطلب ترجمة إنجليزية (خيار «بلا ترجمة»).",
      enSummaryOnly: "تُرجم الملخّص والأبرز فقط (خيار «الملخّص والأبرز فقط»).",
      enUnavailable: (why) => `الترجمة الإنجليزية غير متاحة: ${why}`,
      whyNoModel: "لا نموذج ترجمة محمّلاً على الخادم. للحصول عليه: شغّل ‎khulasa models pull‎ على الخادم ثم أعد تشغيل الخدمة.",
      whyUnknown: "لم يُرجع الخادم ترجمة.",
      warnNoTranslation: "لا ترجمة إنجليزية: الخادم يعمل بلا نموذج ترجمة. للحصول عليه شغّل على الخادم:",
      warnNoSummaryModel: "الملخّص استخلاصي (جمل مختارة من المقال) لأن نموذج التلخيص غير محمّل. لملخّص توليدي شغّل على الخادم:",
      warnRestart: "ثم أعد تشغيل الخدمة.",
      warnCache: "أُعدّ الملخّص ولم يُحفظ (الذاكرة المؤقتة غير متاحة): لن يمكن استرجاعه لاحقاً برقمه.",
      serverSaid: "نص الخادم:",
      kinds: { number: "عدد", percent: "نسبة", money: "مبلغ", date: "تاريخ" },
      mentions: (n) => `${n}×`,
      streamEnded: "انقطع البث قبل اكتمال الملخّص.",
      streamEndedTitle: "انقطع الاتصال",
      badEvent: "وصل حدث لا يمكن قراءته من الخادم.",
      networkTitle: "تعذّر الوصول إلى الخدمة",
      networkAdvice: "تحقّق من أن الخدمة تعمل ومن الاتصال، ثم أعد المحاولة.",
      advice: {
        400: "لم يُفهم الطلب: تحقّق من النص وأعد المحاولة.",
        401: "أدخل مفتاحاً صالحاً.",
        403: "هذا المفتاح لا يسمح بهذا الطلب.",
        413: "المقال أطول من الحدّ المسموح: اختصره أو قسّمه إلى أجزاء.",
        415: "أرسلت الصفحة صيغة غير مقبولة: أعد تحميل الصفحة.",
        422: "عدّل ما يذكره التفصيل ثم أعد المحاولة. خلاصة تقرأ المقالات العربية فقط.",
        429: (s) => `طلبات كثيرة: انتظر ${s} ث ثم أعد المحاولة.`,
        500: "خطأ في الخادم: أعد المحاولة، وإن تكرّر فأبلغ المسؤول.",
        503: (s) => `الخدمة مشغولة أو تحمّل نموذجاً: أعد المحاولة بعد ${s} ث.`,
        504: "استغرق الملخّص وقتاً أطول من المسموح: جرّب مقالاً أقصر أو الملخّص الاستخلاصي.",
        other: "أعد المحاولة بعد قليل.",
      },
      mdKeyPoints: "النقاط الرئيسية",
      mdPeople: "أشخاص",
      mdPlaces: "أماكن",
      mdOrgs: "هيئات ومنظمات",
      mdQuotes: "اقتباسات",
      mdFigures: "أرقام وتواريخ",
      unknownSpeaker: "متحدث غير مذكور",
    },
    en: {
      pageTitle: "Khulasa — article digests",
      skip: "Skip to the article text",
      brand: "Khulasa",
      tagline: "Paste an Arabic article: the summary first, then its highlights and the English translation.",
      langToggle: "العربية",
      langToggleLang: "ar",
      articleLabel: "Article text or HTML",
      articlePlaceholder: "Paste the article here, or drop a .txt or .html file",
      articleHint: "HTML is detected when the text starts with “<”. You can also drop a file on this field. Ctrl+Enter submits.",
      fileCaption: "Or from a file",
      fileLabel: "Choose a .txt or .html file",
      formatLabel: "Format",
      formatAuto: "Automatic",
      formatText: "Text",
      formatHtml: "HTML",
      summaryLabel: "Summary",
      summaryAuto: "Automatic",
      summaryAbstractive: "Abstractive (model)",
      summaryExtractive: "Extractive (sentences of the article)",
      translateLabel: "English translation",
      translateFull: "Whole article",
      translateSummary: "Summary and highlights only",
      translateNone: "No translation",
      submit: "Digest",
      keyTitle: "An API key is required",
      keyHint: "This service asks for a key. It is kept for this browser session only and sent in the X-API-Key header.",
      keyRejected: "The key was not accepted. Check it and enter it again.",
      keyLabel: "Key",
      keySubmit: "Use this key",
      resultsHeading: "Result",
      summaryHeading: "Summary",
      waiting: "Preparing the summary…",
      copyAr: "Copy Arabic summary",
      copyEn: "Copy English summary",
      copyMd: "Copy highlights (Markdown)",
      download: "Download JSON",
      warningsHeading: "Notices",
      highlightsHeading: "Highlights",
      people: "People",
      places: "Places",
      organizations: "Organisations",
      keyPoints: "Key points",
      quotes: "Quotes",
      figures: "Figures and dates",
      translationHeading: "Translation, sentence by sentence",
      pairsHint: "Hover over or tab to a sentence to mark its pair. Arrow keys move between sentences.",
      removedHeading: "Lines removed from the article (buttons, links, ads)",
      historyHeading: "Recent digests",
      historyEmpty: "Nothing yet: the last ten digests are kept in this browser.",
      historyClear: "Clear history",
      footer: "Khulasa: digests of Arabic news.",
      apiDocs: "API documentation",
      untitled: "(untitled)",
      none: "none",
      noEnglish: "no translation",
      working: "Working… the summary comes first, then the rest.",
      done: (s, cached) => `Done in ${s} s${cached ? " (from the cache)" : ""}.`,
      copied: "Copied.",
      copyFailed: "Could not copy: select the text and copy it by hand.",
      downloaded: "File downloaded.",
      emptyText: "Paste an article first.",
      emptyTitle: "No text",
      fileKind: "Choose a .txt or .html file.",
      fileTooBig: (mb) => `The file is larger than ${mb} MB.`,
      fileTitle: "The file could not be read",
      fileRead: (name) => `Read ${name}.`,
      method: { extractive: "Extractive: sentences chosen from the article", abstractive: "Abstractive: written by a model" },
      modelLabel: "Model",
      sections: "Sections",
      enSummaryMissing: (why) => `No English summary: ${why}`,
      enNotAsked: "No English translation was asked for (option “No translation”).",
      enSummaryOnly: "Only the summary and highlights were translated (option “Summary and highlights only”).",
      enUnavailable: (why) => `English is unavailable: ${why}`,
      whyNoModel: "the server has no translation model loaded. To get it, run `khulasa models pull` on the server and restart the service.",
      whyUnknown: "the server returned no translation.",
      warnNoTranslation: "No English translation: the server runs without a translation model. To get it, run on the server:",
      warnNoSummaryModel: "The summary is extractive (sentences chosen from the article) because no summary model is loaded. For an abstractive summary run on the server:",
      warnRestart: "then restart the service.",
      warnCache: "The digest was made but not stored (the cache is unavailable): it cannot be fetched later by its id.",
      serverSaid: "Server message:",
      kinds: { number: "number", percent: "percentage", money: "money", date: "date" },
      mentions: (n) => `×${n}`,
      streamEnded: "The stream ended before the digest was complete.",
      streamEndedTitle: "The connection was cut",
      badEvent: "The server sent an event that could not be read.",
      networkTitle: "The service could not be reached",
      networkAdvice: "Check that the service is running and the connection works, then try again.",
      advice: {
        400: "The request could not be read: check the text and try again.",
        401: "Enter a valid key.",
        403: "This key does not allow this request.",
        413: "The article is longer than the limit: shorten it or split it into parts.",
        415: "The page sent a format the server refuses: reload the page.",
        422: "Change what the detail names and try again. Khulasa reads Arabic articles only.",
        429: (s) => `Too many requests: wait ${s} s and try again.`,
        500: "Server error: try again, and tell the administrator if it repeats.",
        503: (s) => `The service is busy or loading a model: try again in ${s} s.`,
        504: "The digest took longer than allowed: try a shorter article or the extractive summary.",
        other: "Try again in a moment.",
      },
      mdKeyPoints: "Key points",
      mdPeople: "People",
      mdPlaces: "Places",
      mdOrgs: "Organisations",
      mdQuotes: "Quotes",
      mdFigures: "Figures and dates",
      unknownSpeaker: "unnamed speaker",
    },
  };

  const LANG_KEY = "khulasa.lang";
  const KEY_KEY = "khulasa.apiKey"; // sessionStorage only: gone when the tab closes
  const HISTORY_KEY = "khulasa.history";
  const HISTORY_MAX = 10;
  const FILE_MAX_MB = 5;

  let lang = readStorage(localStorage, LANG_KEY) === "en" ? "en" : "ar";

  const $ = (id) => document.getElementById(id);
  const results = () => $("results");

  function t(key, ...args) {
    const value = key in I18N[lang] ? I18N[lang][key] : I18N.ar[key];
    return typeof value === "function" ? value(...args) : value;
  }

  function readStorage(store, key) {
    try {
      return store.getItem(key);
    } catch {
      return null; // storage disabled (private mode, policy): the page still works
    }
  }

  function writeStorage(store, key, value) {
    try {
      store.setItem(key, value);
      return true;
    } catch {
      return false;
    }
  }

  // Build elements from data with text nodes only: server text never becomes markup.
  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (name === "class") el.className = value;
      else el.setAttribute(name, value === true ? "" : String(value));
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      el.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return el;
  }

  function show(el, visible) {
    el.hidden = !visible;
  }

  // ---- State of the digest on screen ----
  const state = {
    digest: null, // the whole document, once it has arrived
    partial: null, // what the stream has sent so far
    controller: null, // AbortController of the request in flight
    pendingBody: null, // the request to retry after a key is entered
    keyRejected: false,
    started: 0,
  };

  function emptyPartial() {
    return { article: null, summary: null, highlights: null, pairs: new Map(), warnings: [] };
  }

  // ---- Interface language ----
  function applyLang() {
    const root = document.documentElement;
    root.lang = lang;
    root.dir = lang === "ar" ? "rtl" : "ltr";
    for (const el of document.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
    for (const el of document.querySelectorAll("[data-i18n-placeholder]")) el.placeholder = t(el.dataset.i18nPlaceholder);
    const toggle = $("lang-toggle");
    toggle.lang = t("langToggleLang");
    toggle.dir = toggle.lang === "ar" ? "rtl" : "ltr";
    toggle.setAttribute("aria-label", lang === "ar" ? "Switch the interface to English" : "بدّل الواجهة إلى العربية");
    document.title = t("pageTitle");
    if (state.pendingBody && !$("key-form").hidden) $("key-hint").textContent = t(state.keyRejected ? "keyRejected" : "keyHint");
    if (lastStatus) setStatus(...lastStatus);
    rerender();
    renderHistory();
  }

  // ---- Warnings in plain words ----
  function normalizeWarning(w) {
    if (typeof w === "string") return { code: "", message: w };
    return { code: String((w && w.code) || ""), message: String((w && w.message) || "") };
  }

  function warningKind(w) {
    const s = `${w.code} ${w.message}`.toLowerCase();
    if (s.includes("cache")) return "cache";
    if (s.includes("translation") && /(unavailable|not.loaded|no translation model|missing|off)/.test(s)) return "noTranslation";
    if (/(abstractive|summary)/.test(s) && /(extractive|no abstractive|not.loaded|missing|unavailable)/.test(s) && !s.includes("empty")) {
      return "noSummaryModel";
    }
    return "other";
  }

  function warningItem(raw) {
    const w = normalizeWarning(raw);
    const kind = warningKind(w);
    const server = h("small", {}, `${t("serverSaid")} `, h("span", { class: "latin", dir: "ltr", lang: "en" }, w.message));
    if (kind === "noTranslation" || kind === "noSummaryModel") {
      const lead = kind === "noTranslation" ? t("warnNoTranslation") : t("warnNoSummaryModel");
      return h("li", { "data-kind": kind }, lead, " ", h("code", { dir: "ltr", lang: "en" }, "khulasa models pull"), " ", t("warnRestart"), h("br"), server);
    }
    if (kind === "cache") return h("li", { "data-kind": kind }, t("warnCache"), h("br"), server);
    return h("li", { "data-kind": kind, dir: "auto" }, w.message || w.code);
  }

  function missingTranslationReason(warnings) {
    const found = (warnings || []).map(normalizeWarning).find((w) => warningKind(w) === "noTranslation");
    return found ? t("whyNoModel") : t("whyUnknown");
  }

  // ---- Rendering: each part from its event, or all of them from the whole document ----
  function renderArticle(article) {
    show(results(), true);
    const title = article.title && article.title.ar;
    $("article-title").textContent = title || t("untitled");
    const en = article.title && article.title.en;
    $("article-title-en").textContent = en || "";
    show($("article-title-en"), Boolean(en));
    renderWarnings(article.warnings || []);
    const removed = article.removed || [];
    const list = $("removed-list");
    list.replaceChildren(...removed.map((line) => h("li", {}, line)));
    $("removed-count").textContent = `(${removed.length})`;
    show($("removed"), removed.length > 0);
  }

  function renderWarnings(warnings) {
    $("warnings-list").replaceChildren(...warnings.map(warningItem));
    show($("warnings"), warnings.length > 0);
  }

  function renderSummary(summary, warnings) {
    show(results(), true);
    show($("summary-pending"), false);
    $("summary-ar").textContent = summary.ar;
    $("summary-en").textContent = summary.en || "";
    show($("summary-en"), Boolean(summary.en));
    const missing = $("summary-en-missing");
    if (summary.en) {
      show(missing, false);
    } else {
      const noModel = (warnings || []).map(normalizeWarning).some((w) => warningKind(w) === "noTranslation");
      const notAsked = !noModel && $("translate-mode").value === "none";
      missing.textContent = notAsked ? t("enNotAsked") : t("enSummaryMissing", missingTranslationReason(warnings));
      show(missing, true);
    }
    const method = (I18N[lang].method || {})[summary.method] || summary.method;
    $("summary-method").replaceChildren(`${method} — ${t("modelLabel")}: `, h("span", { class: "latin", dir: "ltr" }, summary.model));
    $("copy-ar").disabled = false;
    $("copy-en").disabled = !summary.en;
  }

  function entityChip(entity) {
    return h(
      "li",
      { class: "chip", title: (entity.surface_forms || []).join("، ") || null },
      h("span", { class: "ar", lang: "ar", dir: "rtl" }, entity.ar),
      entity.en ? h("span", { class: "en", lang: "en", dir: "ltr" }, entity.en) : null,
      entity.mentions > 1 ? h("span", { class: "count", "aria-label": `${entity.mentions}` }, t("mentions", entity.mentions)) : null,
    );
  }

  function chipsOrNone(list, items) {
    list.replaceChildren(...(items.length ? items.map(entityChip) : [h("li", { class: "empty" }, t("none"))]));
  }

  function renderHighlights(hl) {
    show(results(), true);
    const entities = hl.entities || { people: [], places: [], organizations: [] };
    chipsOrNone($("people"), entities.people || []);
    chipsOrNone($("places"), entities.places || []);
    chipsOrNone($("organizations"), entities.organizations || []);
    const points = hl.key_points || [];
    $("key-points").replaceChildren(
      ...(points.length
        ? points.map((p) => h("li", {}, h("span", { lang: "ar", dir: "rtl" }, p.ar), p.en ? h("span", { class: "en", lang: "en", dir: "ltr" }, p.en) : null))
        : [h("li", { class: "empty" }, t("none"))]),
    );
    const quotes = hl.quotes || [];
    $("quotes").replaceChildren(
      ...(quotes.length
        ? quotes.map((q) =>
            h(
              "figure",
              { class: "quote" },
              h("blockquote", { lang: "ar", dir: "rtl" }, h("p", {}, `«${q.ar}»`), q.en ? h("p", { class: "en", lang: "en", dir: "ltr" }, `“${q.en}”`) : null),
              h("figcaption", {}, "— ", h("span", { class: "speaker", lang: "ar", dir: "rtl" }, q.speaker || t("unknownSpeaker"))),
            ),
          )
        : [h("p", { class: "empty" }, t("none"))]),
    );
    const figures = hl.figures || [];
    $("figures").replaceChildren(
      ...(figures.length
        ? figures.map((f) =>
            h("li", {}, h("span", { lang: "ar", dir: "rtl" }, f.ar), " — ", (I18N[lang].kinds || {})[f.kind] || f.kind, f.value ? h("span", { class: "latin", dir: "ltr" }, ` (${f.value})`) : null),
          )
        : [h("li", { class: "empty" }, t("none"))]),
    );
    show($("highlights"), true);
    $("copy-md").disabled = false;
  }

  // Sentence pairs: both cells focusable; hovering or focusing one marks both.
  const pairCells = new Map(); // index -> [arCell, enCell]

  function resetPairs() {
    pairCells.clear();
    $("pairs").replaceChildren();
  }

  function addPairs(sentences) {
    const grid = $("pairs");
    for (const s of sentences) {
      const index = Number(s.index);
      const ar = h("div", { class: "pair-cell ar", lang: "ar", dir: "rtl", tabindex: "0", "data-index": index, "data-side": "ar" }, h("span", { class: "num", "aria-hidden": "true" }, index + 1), s.ar);
      const en = s.en
        ? h("div", { class: "pair-cell en", lang: "en", dir: "ltr", tabindex: "0", "data-index": index, "data-side": "en" }, s.en)
        : h("div", { class: "pair-cell en missing", dir: "auto", tabindex: "0", "data-index": index, "data-side": "en" }, t("noEnglish"));
      const old = pairCells.get(index);
      if (old) {
        old[0].replaceWith(ar);
        old[1].replaceWith(en);
      } else {
        // Batches arrive in order; a late one goes before the first higher index.
        let before = null;
        for (const [i, cells] of pairCells) if (i > index && (!before || i < Number(before.dataset.index))) before = cells[0];
        if (before) {
          grid.insertBefore(ar, before);
          grid.insertBefore(en, before);
        } else grid.append(ar, en);
      }
      pairCells.set(index, [ar, en]);
    }
    show($("translation"), true);
  }

  function markPair(cell, on) {
    const cells = pairCells.get(Number(cell.dataset.index));
    if (cells) for (const c of cells) c.classList.toggle("paired", on);
  }

  function onPairKey(event) {
    const cell = event.target.closest(".pair-cell");
    if (!cell) return;
    const indices = [...pairCells.keys()].sort((a, b) => a - b);
    const pos = indices.indexOf(Number(cell.dataset.index));
    const side = cell.dataset.side === "ar" ? 0 : 1;
    let target = null;
    if (event.key === "ArrowDown" && pos < indices.length - 1) target = pairCells.get(indices[pos + 1])[side];
    else if (event.key === "ArrowUp" && pos > 0) target = pairCells.get(indices[pos - 1])[side];
    else if (event.key === "ArrowLeft" || event.key === "ArrowRight") target = pairCells.get(indices[pos])[1 - side];
    if (target) {
      event.preventDefault();
      target.focus();
    }
  }

  function renderTranslation(doc) {
    const translation = doc.translation;
    const missing = $("translation-missing");
    resetPairs();
    if (translation && translation.sentences) {
      addPairs(translation.sentences.map((s, index) => ({ index, ar: s.ar, en: s.en })));
      show(missing, false);
      show($("translation-hint"), true);
    } else {
      const reason = missingTranslationReason(doc.meta && doc.meta.warnings);
      const asked = (doc.meta && doc.meta.warnings || []).map(normalizeWarning).some((w) => warningKind(w) === "noTranslation");
      missing.textContent = asked ? t("enUnavailable", reason) : doc.summary && doc.summary.en ? t("enSummaryOnly") : t("enNotAsked");
      show(missing, true);
      show($("translation-hint"), false);
      show($("translation"), true);
    }
  }

  function renderDigest(doc) {
    const warnings = (doc.meta && doc.meta.warnings) || [];
    renderArticle({ title: doc.title, sections: doc.sections, removed: doc.removed, warnings });
    renderSummary(doc.summary, warnings);
    renderHighlights(doc.highlights || {});
    renderTranslation(doc);
    $("download").disabled = false;
  }

  function renderPartial(p) {
    if (p.article) renderArticle(p.article);
    if (p.summary) renderSummary(p.summary, p.warnings);
    if (p.highlights) renderHighlights(p.highlights);
    if (p.pairs.size) addPairs([...p.pairs.values()]);
  }

  function rerender() {
    if (state.digest) renderDigest(state.digest);
    else if (state.partial) renderPartial(state.partial);
  }

  function clearResults() {
    state.digest = null;
    state.partial = emptyPartial();
    const r = results();
    for (const key of Object.keys(r.dataset)) delete r.dataset[key];
    show(r, false);
    for (const id of ["warnings", "highlights", "translation", "removed", "summary-en", "summary-en-missing", "article-title-en"]) show($(id), false);
    show($("summary-pending"), true);
    for (const id of ["summary-ar", "summary-en", "summary-method", "article-title"]) $(id).textContent = "";
    resetPairs();
    for (const id of ["copy-ar", "copy-en", "copy-md", "download"]) $(id).disabled = true;
    show($("error"), false);
  }

  // ---- Timeline, for people and for the browser tests: when each part reached the screen ----
  function mark(name) {
    const r = results();
    const key = `t${name[0].toUpperCase()}${name.slice(1)}`;
    if (!(key in r.dataset)) r.dataset[key] = performance.now().toFixed(1);
  }

  // ---- Errors ----
  function showProblem(problem, retryAfter) {
    const status = Number(problem.status) || 0;
    $("error-title").textContent = problem.title || `HTTP ${status}`;
    $("error-detail").textContent = problem.detail || "";
    const wait = Number(retryAfter) || Number(problem.retry_after) || 5;
    const advice = I18N[lang].advice[status] || I18N[lang].advice.other;
    $("error-advice").textContent = typeof advice === "function" ? advice(wait) : advice;
    $("error").dataset.status = String(status);
    show($("error"), true);
    results().dataset.state = "error";
    setStatus("");
  }

  async function readProblem(res) {
    try {
      const body = await res.json();
      if (body && typeof body === "object") return { status: res.status, ...body };
    } catch {
      // not JSON: fall through to the status line
    }
    return { status: res.status, title: `HTTP ${res.status}`, detail: res.statusText };
  }

  let lastStatus = null; // [key, ...args], re-said in the other language by the toggle

  function setStatus(key, ...args) {
    lastStatus = key ? [key, ...args] : null;
    $("status").textContent = key ? t(key, ...args) : "";
  }

  function setBusy(busy) {
    $("submit").disabled = busy;
    $("digest-form").setAttribute("aria-busy", busy ? "true" : "false");
  }

  // ---- Requests ----
  function headers(accept) {
    const h = { "Content-Type": "application/json", Accept: accept };
    const key = readStorage(sessionStorage, KEY_KEY);
    if (key) h["X-API-Key"] = key; // a header, never the URL
    return h;
  }

  function post(path, body, accept, signal) {
    return fetch(path, { method: "POST", headers: headers(accept), body: JSON.stringify(body), signal, credentials: "same-origin", cache: "no-store" });
  }

  function requestBody() {
    const text = $("article").value.replace(/^\uFEFF/, "");
    let format = $("format").value;
    if (format === "auto") format = text.trimStart().startsWith("<") ? "html" : "text";
    return { text, format, options: { summary: $("summary-mode").value, translate: $("translate-mode").value } };
  }

  async function submit() {
    const body = requestBody();
    if (!body.text.trim()) {
      clearResults();
      showProblem({ status: 0, title: t("emptyTitle"), detail: t("emptyText") });
      $("article").focus();
      return;
    }
    await run(body);
  }

  async function run(body) {
    if (state.controller) state.controller.abort();
    const controller = new AbortController();
    state.controller = controller;
    clearResults();
    state.started = performance.now();
    results().dataset.state = "loading";
    mark("submit");
    setBusy(true);
    setStatus("working");
    try {
      let source = "stream";
      let res = await post("/v1/digest/stream", body, "text/event-stream", controller.signal);
      if (res.status === 404 || res.status === 405) {
        // A server without the stream endpoint: one request, the same sections from the whole document.
        source = "fallback";
        res = await post("/v1/digest", body, "application/json", controller.signal);
      }
      results().dataset.source = source;
      if (res.status === 401) {
        askKey(body, readStorage(sessionStorage, KEY_KEY) !== null);
        results().dataset.state = "key";
        setStatus("");
        return;
      }
      if (!res.ok) {
        showProblem(await readProblem(res), res.headers.get("Retry-After"));
        return;
      }
      if (source === "fallback") {
        const doc = await res.json();
        mark("summaryEvent");
        mark("digestArrived");
        finish(doc);
        mark("summaryRendered");
      } else {
        await readStream(res);
      }
    } catch (err) {
      if (err && err.name === "AbortError") return;
      showProblem({ status: 0, title: t("networkTitle"), detail: String((err && err.message) || err) });
      $("error-advice").textContent = t("networkAdvice");
    } finally {
      if (state.controller === controller) {
        state.controller = null;
        setBusy(false);
      }
    }
  }

  function finish(doc) {
    state.digest = doc;
    state.partial = null;
    renderDigest(doc);
    saveHistory(doc);
    results().dataset.state = "done";
    results().dataset.digestId = doc.id;
    const seconds = ((performance.now() - state.started) / 1000).toFixed(1);
    setStatus("done", seconds, doc.meta && doc.meta.cached);
  }

  // Server-Sent Events over fetch (EventSource cannot POST). Linear: one pass over the bytes.
  function sseParser(onEvent) {
    let buffer = "";
    let event = "";
    let data = [];
    const newline = /\r\n|\r|\n/g;
    function line(text) {
      if (text === "") {
        if (data.length) onEvent(event || "message", data.join("\n"));
        event = "";
        data = [];
        return;
      }
      if (text[0] === ":") return; // keep-alive comment
      const colon = text.indexOf(":");
      const field = colon < 0 ? text : text.slice(0, colon);
      let value = colon < 0 ? "" : text.slice(colon + 1);
      if (value[0] === " ") value = value.slice(1);
      if (field === "event") event = value;
      else if (field === "data") data.push(value);
    }
    return {
      push(chunk) {
        buffer += chunk;
        let start = 0;
        newline.lastIndex = 0;
        let m;
        while ((m = newline.exec(buffer)) !== null) {
          // A lone "\r" at the end may be the first half of "\r\n": wait for the next chunk.
          if (m[0] === "\r" && m.index === buffer.length - 1) break;
          line(buffer.slice(start, m.index));
          start = m.index + m[0].length;
        }
        buffer = buffer.slice(start);
      },
      end() {
        if (buffer) line(buffer);
        line("");
        buffer = "";
      },
    };
  }

  async function readStream(res) {
    let finished = false;
    const parser = sseParser((name, raw) => {
      if (finished) return;
      let data;
      try {
        data = JSON.parse(raw);
      } catch {
        finished = true;
        showProblem({ status: 0, title: t("streamEndedTitle"), detail: t("badEvent") });
        return;
      }
      finished = onEvent(name, data);
    });
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      parser.push(decoder.decode(value, { stream: true }));
      if (finished) {
        reader.cancel().catch(() => {});
        break;
      }
    }
    if (!finished) {
      parser.push(decoder.decode());
      parser.end();
    }
    if (!finished) showProblem({ status: 0, title: t("streamEndedTitle"), detail: t("streamEnded") });
  }

  // One event; true when the stream is over (digest or error).
  function onEvent(name, data) {
    const p = state.partial || (state.partial = emptyPartial());
    mark("firstEvent");
    switch (name) {
      case "article":
        p.article = data;
        p.warnings = data.warnings || [];
        renderArticle(data);
        return false;
      case "summary":
        mark("summaryEvent");
        p.summary = data;
        renderSummary(data, p.warnings);
        mark("summaryRendered");
        return false;
      case "highlights":
        p.highlights = data;
        renderHighlights(data);
        return false;
      case "translation":
        for (const s of data.sentences || []) p.pairs.set(Number(s.index), s);
        addPairs(data.sentences || []);
        return false;
      case "digest":
        mark("digestArrived");
        finish(data);
        return true;
      case "error":
        showProblem(data);
        return true;
      default:
        return false; // an event this page does not know yet
    }
  }

  // ---- API key: asked once after a 401, kept in sessionStorage ----
  function askKey(body, rejected) {
    state.pendingBody = body;
    state.keyRejected = rejected;
    if (rejected) sessionStorage.removeItem(KEY_KEY);
    $("key-hint").textContent = t(rejected ? "keyRejected" : "keyHint");
    show($("key-form"), true);
    $("api-key").value = "";
    $("api-key").focus();
  }

  function onKeySubmit(event) {
    event.preventDefault();
    const key = $("api-key").value.trim();
    if (!key) {
      $("api-key").focus();
      return;
    }
    writeStorage(sessionStorage, KEY_KEY, key);
    $("api-key").value = "";
    show($("key-form"), false);
    const body = state.pendingBody;
    state.pendingBody = null;
    if (body) run(body);
  }

  // ---- Copy and download ----
  async function copyText(text) {
    try {
      if (navigator.clipboard && window.isSecureContext) {
        await navigator.clipboard.writeText(text);
        return true;
      }
    } catch {
      // fall back below (permission refused)
    }
    // Plain http on a LAN address is not a secure context: the old way still works there.
    const area = h("textarea", { class: "visually-hidden", "aria-hidden": "true" });
    area.value = text;
    document.body.append(area);
    area.select();
    let ok = false;
    try {
      ok = document.execCommand("copy");
    } catch {
      ok = false;
    }
    area.remove();
    return ok;
  }

  function current() {
    if (state.digest) return state.digest;
    const p = state.partial;
    return p ? { summary: p.summary, highlights: p.highlights, title: p.article && p.article.title } : null;
  }

  function markdown(doc) {
    const hl = doc.highlights || {};
    const e = hl.entities || {};
    const out = [];
    const title = doc.title && doc.title.ar;
    if (title) out.push(`# ${title}`, "");
    const both = (ar, en) => (en ? `${ar} — ${en}` : ar);
    const section = (heading, lines) => {
      if (lines.length) out.push(`## ${heading}`, "", ...lines, "");
    };
    section(t("mdKeyPoints"), (hl.key_points || []).map((k) => `- ${both(k.ar, k.en)}`));
    section(t("mdPeople"), (e.people || []).map((x) => `- ${both(x.ar, x.en)}`));
    section(t("mdPlaces"), (e.places || []).map((x) => `- ${both(x.ar, x.en)}`));
    section(t("mdOrgs"), (e.organizations || []).map((x) => `- ${both(x.ar, x.en)}`));
    section(t("mdQuotes"), (hl.quotes || []).map((q) => `> «${q.ar}»${q.en ? ` (“${q.en}”)` : ""} — ${q.speaker || t("unknownSpeaker")}`));
    section(t("mdFigures"), (hl.figures || []).map((f) => `- ${f.ar}${f.value ? ` (${f.value})` : ""}`));
    return out.join("\n").trim() + "\n";
  }

  async function onCopy(kind) {
    const doc = current();
    if (!doc) return;
    let text = "";
    if (kind === "ar") text = doc.summary && doc.summary.ar;
    else if (kind === "en") text = doc.summary && doc.summary.en;
    else text = markdown(doc);
    if (!text) return;
    setStatus((await copyText(text)) ? "copied" : "copyFailed");
  }

  function onDownload() {
    const doc = state.digest;
    if (!doc) return;
    const blob = new Blob([JSON.stringify(doc, null, 2)], { type: "application/json" });
    const url = URL.createObjectURL(blob);
    const a = h("a", { href: url, download: `khulasa-${doc.id || "digest"}.json` });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
    setStatus("downloaded");
  }

  // ---- History: the last ten digests in localStorage ----
  function loadHistory() {
    try {
      const list = JSON.parse(readStorage(localStorage, HISTORY_KEY) || "[]");
      return Array.isArray(list) ? list.filter((e) => e && e.doc && e.doc.summary) : [];
    } catch {
      return [];
    }
  }

  function saveHistory(doc) {
    const entry = { id: doc.id, at: new Date().toISOString(), doc };
    let list = [entry, ...loadHistory().filter((e) => e.id !== doc.id)].slice(0, HISTORY_MAX);
    // Over the storage quota: drop the oldest until it fits.
    while (list.length && !writeStorage(localStorage, HISTORY_KEY, JSON.stringify(list))) list = list.slice(0, -1);
    renderHistory();
  }

  function renderHistory() {
    const list = loadHistory();
    const fmt = new Intl.DateTimeFormat(lang === "ar" ? "ar" : "en-GB", { dateStyle: "short", timeStyle: "short" });
    $("history-list").replaceChildren(
      ...list.map((e) => {
        const title = (e.doc.title && e.doc.title.ar) || e.doc.summary.ar.slice(0, 80);
        const when = new Date(e.at);
        return h(
          "li",
          {},
          h("button", { type: "button", "data-id": e.id, lang: "ar", dir: "rtl" }, title),
          h("time", { datetime: e.at }, Number.isNaN(when.getTime()) ? "" : fmt.format(when)),
        );
      }),
    );
    show($("history-empty"), list.length === 0);
    show($("history-clear"), list.length > 0);
  }

  function openHistory(id) {
    const entry = loadHistory().find((e) => e.id === id);
    if (!entry) return;
    if (state.controller) state.controller.abort();
    clearResults();
    state.partial = null;
    state.digest = entry.doc;
    renderDigest(entry.doc);
    results().dataset.source = "history";
    results().dataset.state = "done";
    results().dataset.digestId = entry.doc.id;
    $("article-title").scrollIntoView({ block: "start" });
  }

  // ---- Files: pick or drop a .txt / .html ----
  async function readFile(file) {
    const name = file.name || "";
    if (!/\.(txt|html?)$/i.test(name) && !/^text\/(plain|html)$/.test(file.type)) {
      showProblem({ status: 0, title: t("fileTitle"), detail: t("fileKind") });
      return;
    }
    if (file.size > FILE_MAX_MB * 1024 * 1024) {
      showProblem({ status: 0, title: t("fileTitle"), detail: t("fileTooBig", FILE_MAX_MB) });
      return;
    }
    const text = (await file.text()).replace(/^\uFEFF/, "");
    $("file-name").textContent = name;
    $("article").value = text;
    if (/\.html?$/i.test(name) || file.type === "text/html") $("format").value = "html";
    else if (/\.txt$/i.test(name)) $("format").value = "text";
    show($("error"), false);
    setStatus("fileRead", name);
  }

  // ---- Wiring ----
  function init() {
    $("digest-form").addEventListener("submit", (event) => {
      event.preventDefault();
      submit();
    });
    $("article").addEventListener("keydown", (event) => {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        submit();
      }
    });
    $("key-form").addEventListener("submit", onKeySubmit);
    $("lang-toggle").addEventListener("click", () => {
      lang = lang === "ar" ? "en" : "ar";
      writeStorage(localStorage, LANG_KEY, lang);
      applyLang();
    });
    $("file").addEventListener("change", (event) => {
      const file = event.target.files && event.target.files[0];
      if (file) readFile(file);
    });
    const area = $("article");
    area.addEventListener("dragover", (event) => {
      if (event.dataTransfer && [...event.dataTransfer.types].includes("Files")) {
        event.preventDefault();
        area.classList.add("dragging");
      }
    });
    area.addEventListener("dragleave", () => area.classList.remove("dragging"));
    area.addEventListener("drop", (event) => {
      area.classList.remove("dragging");
      const file = event.dataTransfer && event.dataTransfer.files && event.dataTransfer.files[0];
      if (file) {
        event.preventDefault();
        readFile(file);
      }
    });
    $("copy-ar").addEventListener("click", () => onCopy("ar"));
    $("copy-en").addEventListener("click", () => onCopy("en"));
    $("copy-md").addEventListener("click", () => onCopy("md"));
    $("download").addEventListener("click", onDownload);
    const pairs = $("pairs");
    for (const [type, on] of [["mouseover", true], ["mouseout", false], ["focusin", true], ["focusout", false]]) {
      pairs.addEventListener(type, (event) => {
        const cell = event.target.closest && event.target.closest(".pair-cell");
        if (cell) markPair(cell, on);
      });
    }
    pairs.addEventListener("keydown", onPairKey);
    $("history-list").addEventListener("click", (event) => {
      const button = event.target.closest("button[data-id]");
      if (button) openHistory(button.dataset.id);
    });
    $("history-clear").addEventListener("click", () => {
      try {
        localStorage.removeItem(HISTORY_KEY);
      } catch {
        // nothing stored
      }
      renderHistory();
    });
    for (const id of ["copy-ar", "copy-en", "copy-md", "download"]) $(id).disabled = true;
    applyLang();
    document.documentElement.dataset.ready = "true";
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
