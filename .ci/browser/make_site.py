#!/usr/bin/env python3
"""Writes the small site the browser test searches: 40 articles over five years, four authors,
five categories, and the awkward cases: a title with <script>, raw HTML in a summary, Hangul,
accented words, and one word ("institute") in every article so that results span several pages.

Usage: make_site.py OUT_DIR LAYOUTS_DIR
"""
import os
import shutil
import sys

out, layouts = sys.argv[1], sys.argv[2]
if os.path.exists(out):
    shutil.rmtree(out)


def write(path, text):
    full = os.path.join(out, path)
    os.makedirs(os.path.dirname(full), exist_ok=True)
    with open(full, "w", encoding="utf-8") as f:
        f.write(text)


def quoted(text):
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


shutil.copytree(layouts, os.path.join(out, "layouts"))
write("site.yml", """title: Browser Test Institute
base_url: https://example.org/
per_page: 10
timezone: UTC
menu:
  - label: Analysis
    url: /analysis/
  - label: Categories
    url: /categories/
  - label: Authors
    url: /authors/
""")
write("content/analysis/_index.md", "---\ntitle: Analysis\n---\nEverything we publish.\n")
authors = [("ann-lee", "Ann Lee"), ("bo-kim", "Bo Kim"), ("chloe-martin", "Chloé Martin"), ("min-seo-park", "Min-seo Park")]
for slug, name in authors:
    write(f"content/authors/{slug}.md", f"---\nname: {name}\ntitle: Fellow\n---\n{name} writes for the institute.\n")

categories = ["Security", "Trade & Economics", "Human Rights", "Diplomacy", "Energy"]
topics = ["harbor logistics", "fishing quotas", "rail corridors", "grain prices", "power grids",
          "border markets", "cyber defence", "port cranes", "river treaties", "refugee camps"]
special = {
    0: ("Sanctions and the Séoul Talks", "Negotiators met in Séoul to discuss sanctions relief.",
        "The talks in Séoul focused on sanctions and verification."),
    1: ("Seoul After the Summit", "What the summit changed for Seoul.",
        "Officials in Seoul described the summit as a modest step."),
    2: ("서울에서 열린 회담", "서울에서 열린 회담의 결과.",
        "한국어 요약: 서울에서 열린 회담은 무역과 안보를 다루었다."),
    3: ("<script>window.__pwned=1</script> Harbor Report",
        '<img src=x onerror="window.__pwned=2"> A report on harbor dredging.',
        "Dredging the harbor <b>bold</b> &amp; <script>window.__pwned=3</script> continues."),
    4: ("Negotiating Sanctioned Trade", "How sanctioned trade is negotiated.",
        "Traders negotiated around sanctions; negotiations continue."),
}
for n in range(40):
    year = 2021 + n % 5
    month = 1 + n % 12
    day = 1 + n % 27
    author_slugs = [authors[n % 4][0]] + ([authors[(n + 1) % 4][0]] if n % 3 == 0 else [])
    cats = [categories[n % 5]] + ([categories[(n + 2) % 5]] if n % 4 == 0 else [])
    topic = topics[n % len(topics)]
    title, summary, first = special.get(n, (f"Notes on {topic.title()} {n}", f"A brief on {topic}.",
                                            f"This brief looks at {topic} in detail."))
    body = (f"{first}\n\nThe institute has followed {topic} for years. "
            f"Paragraph {n} adds context on regional {topic} and the wider economy.\n\n"
            "## Background\n\nMore background, with a [link](/analysis/) and *emphasis*.\n")
    write(f"content/analysis/article-{n:02d}.md", f"""---
title: {quoted(title)}
date: {year}-{month:02d}-{day:02d}
authors: [{", ".join(author_slugs)}]
categories: [{", ".join(quoted(c) for c in cats)}]
summary: {quoted(summary)}
---
{body}""")
print(f"wrote 40 articles to {out}")
