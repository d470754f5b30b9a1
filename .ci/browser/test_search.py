#!/usr/bin/env python3
"""Drives the search page in headless Chromium (selenium) against sites served by nginx.

    test_search.py ROOT_URL BASE_PATH_URL     the checks, on the site of make_site.py built twice:
                                              at the root and under /blog/
    test_search.py --measure URL WORD...      figures only (any site): bytes for a one-word query
                                              and keystroke-to-results times

Prints "ok - ..." or "FAIL - ..." per check, the figures as "measure: ...", and finally
"N passed, M failed". Exit status 1 when a check failed.
"""
import json
import os
import statistics
import sys
import time
import urllib.request

from selenium import webdriver
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

HERE = os.path.dirname(os.path.abspath(__file__))
passed, failed = 0, 0


def check(name, condition, detail=""):
    global passed, failed
    if condition:
        passed += 1
        print(f"ok   - {name}")
    else:
        failed += 1
        print(f"FAIL - {name}" + (f": {detail}" if detail else ""))


def start_browser():
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     "--window-size=1280,1000", "--lang=en-US"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    driver.execute_cdp_cmd("Network.enable", {})
    return driver


def wait_for_query(driver, query, timeout=10):
    """Waits until the page has rendered the results of `query` (the script marks it)."""
    WebDriverWait(driver, timeout).until(
        lambda d: d.find_element(By.ID, "search-app").get_attribute("data-search-query") == query.strip())


def status(driver):
    return driver.find_element(By.ID, "search-status").text


def titles(driver):
    return [e.text for e in driver.find_elements(By.CSS_SELECTOR, "#search-results .search-result-title a")]


def type_query(driver, text):
    box = driver.find_element(By.ID, "search-input")
    box.clear()
    box.send_keys(text)
    wait_for_query(driver, text)


def search_resources(driver):
    """(url, transfer bytes, body bytes) of every index file the page fetched."""
    entries = driver.execute_script(
        "return performance.getEntriesByType('resource').map(e => [e.name, e.transferSize, e.encodedBodySize])")
    return [e for e in entries if "/search/" in e[0] and e[0].split("?")[0].endswith(".json")]


def fresh_page(driver, url):
    driver.execute_cdp_cmd("Network.clearBrowserCache", {})
    driver.get("about:blank")
    driver.get(url)


def severe_errors(driver):
    return [e for e in driver.get_log("browser") if e["level"] == "SEVERE" and "favicon" not in e["message"]]


# ---- Checks --------------------------------------------------------------------------------------

def check_site(driver, base, label):
    path = base.split("//", 1)[1].split("/", 1)[1]  # "" or "blog/"
    root = "/" + path

    fresh_page(driver, base + "search/?q=seoul")
    wait_for_query(driver, "seoul")
    found = titles(driver)
    check(f"{label}: ?q=seoul shows the count and both spellings (Seoul, Séoul)",
          status(driver).startswith(f"{len(found)} result") and "for \u201cseoul\u201d" in status(driver)
          and any("Séoul" in t for t in found) and any("Seoul After" in t for t in found), f"{status(driver)} {found}")
    check(f"{label}: the query is in the search box",
          driver.find_element(By.ID, "search-input").get_attribute("value") == "seoul")
    links = [a.get_attribute("href") for a in driver.find_elements(By.CSS_SELECTOR, "#search-results .search-result-title a")]
    check(f"{label}: result links carry the base path", links and all(l.startswith(base + "analysis/") for l in links), links)
    fetched = [e[0] for e in search_resources(driver)]
    check(f"{label}: the index is read from {root}search/",
          fetched and all(u.startswith(base + "search/") for u in fetched), fetched)
    author_links = [a.get_attribute("href") for a in driver.find_elements(By.CSS_SELECTOR, "#search-results .search-result-meta a")]
    check(f"{label}: author links point at author pages", author_links and all("/authors/" in l for l in author_links),
          author_links)

    type_query(driver, "Séoul")
    check(f"{label}: typing Séoul finds Seoul too", len(titles(driver)) == len(found), titles(driver))

    type_query(driver, "sanctions")
    marks = [m.text for m in driver.find_elements(By.CSS_SELECTOR, "#search-results mark")]
    check(f"{label}: stemming: 'sanctions' finds sanction, sanctioned",
          any("Sanctioned" in t for t in titles(driver)) and any("Sanctions" in t for t in titles(driver)),
          titles(driver))
    check(f"{label}: matched words are highlighted", marks and all(m.lower().startswith("sanction") for m in marks), marks)
    check(f"{label}: the best match (title) comes first", "Sanction" in (titles(driver) or [""])[0], titles(driver))

    type_query(driver, "서울")
    check(f"{label}: Hangul query finds the Hangul article", any("서울에서" in t for t in titles(driver)), titles(driver))
    hangul_marks = [m.text for m in driver.find_elements(By.CSS_SELECTOR, "#search-results mark")]
    check(f"{label}: Hangul words are highlighted", "서울에서" in hangul_marks, hangul_marks)

    type_query(driver, "dredging")
    result_titles = titles(driver)
    check(f"{label}: a title with <script> shows as text",
          result_titles == ["<script>window.__pwned=1</script> Harbor Report"], result_titles)
    injected = driver.execute_script(
        "return [window.__pwned, document.querySelectorAll('#search-results script, #search-results img, #search-results b').length]")
    check(f"{label}: nothing from the index became HTML", injected == [None, 0], injected)

    type_query(driver, "zzzqqq")
    check(f"{label}: a query with no results says so",
          status(driver).startswith("No results for \u201czzzqqq\u201d")
          and driver.find_element(By.ID, "search-browse").is_displayed()
          and not driver.find_element(By.ID, "search-layout").is_displayed(), status(driver))

    check_facets_and_pages(driver, label)

    errors = severe_errors(driver)
    check(f"{label}: no errors in the console", not errors, errors)


def check_facets_and_pages(driver, label):
    type_query(driver, "institute")
    check(f"{label}: 40 results for a word in every article", status(driver).startswith("40 results"), status(driver))
    pager = driver.find_element(By.ID, "search-pagination")
    check(f"{label}: results are paginated", "Page 1 of 4" in pager.text, pager.text)
    first_page = titles(driver)
    driver.find_element(By.CSS_SELECTOR, ".search-page-button.next").send_keys(Keys.ENTER)  # keyboard
    WebDriverWait(driver, 5).until(lambda d: "Page 2 of 4" in d.find_element(By.ID, "search-pagination").text)
    second_page = titles(driver)
    check(f"{label}: the next page shows ten other results",
          len(second_page) == 10 and not set(first_page) & set(second_page)
          and driver.find_element(By.ID, "search-results").get_attribute("start") == "11")
    check(f"{label}: the page number is in the URL", "page=2" in driver.current_url, driver.current_url)
    check(f"{label}: focus moves to the status line after paging",
          driver.switch_to.active_element.get_attribute("id") == "search-status")

    legends = [e.text for e in driver.find_elements(By.CSS_SELECTOR, "#search-filters legend")]
    check(f"{label}: facets for category, author and year", legends == ["Category", "Author", "Year"], legends)
    option = driver.find_element(By.CSS_SELECTOR, "#search-filters input[name=category]")
    label_text = option.find_element(By.XPATH, "..").text  # "Security (10)"
    count = int(label_text.rsplit("(", 1)[1].rstrip(")"))
    option.send_keys(Keys.SPACE)  # keyboard, not a click
    WebDriverWait(driver, 5).until(lambda d: d.find_element(By.ID, "search-status").text.startswith(f"{count} result"))
    check(f"{label}: choosing a category (keyboard) filters to its count",
          f"filtered from 40" in status(driver) and "category=" in driver.current_url, status(driver))
    check(f"{label}: the checkbox keeps the focus after the update",
          driver.switch_to.active_element.get_attribute("name") == "category")

    year = driver.find_element(By.CSS_SELECTOR, "#search-filters input[name=year]")
    year_value = year.get_attribute("value")
    year.send_keys(Keys.SPACE)
    WebDriverWait(driver, 5).until(lambda d: "year=" in d.current_url)
    dates = [t.text for t in driver.find_elements(By.CSS_SELECTOR, "#search-results time")]
    check(f"{label}: a year filter keeps only that year", dates and all(d.endswith(year_value) for d in dates),
          (year_value, dates))

    driver.refresh()
    wait_for_query(driver, "institute")
    checked = [e.get_attribute("value") for e in driver.find_elements(By.CSS_SELECTOR, "#search-filters input:checked")]
    check(f"{label}: filters survive a reload (they are in the URL)", year_value in checked and len(checked) == 2, checked)


def check_normalization(driver):
    cases = []
    with open(os.path.join(HERE, "normalization-cases.tsv"), encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if line and not line.startswith("#"):
                word, term = (line.split("\t") + [""])[:2]
                cases.append((word, term or None))
    got = driver.execute_script("return arguments[0].map(w => SiteSearch.termOf(w))", [w for w, _ in cases])
    wrong = [(w, t, g) for (w, t), g in zip(cases, got) if t != g]
    check(f"search.js normalizes the {len(cases)} shared cases like the build", not wrong, wrong)


def check_without_javascript(base):
    html = urllib.request.urlopen(base + "search/").read().decode("utf-8")
    check("without JavaScript the page links to the section, category and author indexes",
          'href="/analysis/"' in html and 'href="/categories/"' in html and 'href="/authors/"' in html
          and 'href="/categories/security/"' in html and 'id="search-layout" hidden' in html)


# ---- Figures -------------------------------------------------------------------------------------

def measure(driver, base, words):
    for word in words:
        fresh_page(driver, base + "search/?q=" + urllib.request.quote(word))
        wait_for_query(driver, word, timeout=30)
        resources = search_resources(driver)
        body = sum(e[2] for e in resources)
        transfer = sum(e[1] for e in resources)
        kinds = {}
        for url, _, size in resources:
            kind = url.split("/search/")[1].split("/")[0].split(".")[0]
            kinds[kind] = kinds.get(kind, 0) + size
        print(f"measure: one-word query {word!r} (?q=, empty cache): {len(resources)} files, "
              f"{body / 1000:.1f} KB of JSON, {transfer / 1000:.1f} KB transferred; by kind {kinds}; "
              f"{status(driver)}")

        fresh_page(driver, base + "search/")
        WebDriverWait(driver, 30).until(lambda d: "Type a word" in status(d) and "publications" in status(d))
        box = driver.find_element(By.ID, "search-input")
        for ch in word:
            box.send_keys(ch)
            wait_for_query(driver, box.get_attribute("value"), timeout=30)
        typed = sum(e[2] for e in search_resources(driver))
        print(f"measure: typing {word!r} letter by letter (empty cache): {typed / 1000:.1f} KB of JSON")

        # Shards and fragments are cached now: time each keystroke of the word typed again.
        times = []
        for _ in range(3):
            box.send_keys(Keys.CONTROL, "a")
            box.send_keys(Keys.BACKSPACE)
            wait_for_query(driver, "", timeout=30)
            for ch in word:
                box.send_keys(ch)
                wait_for_query(driver, box.get_attribute("value"), timeout=30)
                times.append(float(driver.find_element(By.ID, "search-app").get_attribute("data-search-ms")))
        print(f"measure: keystroke to results, cached, {word!r}: median {statistics.median(times):.1f} ms, "
              f"max {max(times):.1f} ms over {len(times)} keystrokes")


def main():
    driver = start_browser()
    try:
        if sys.argv[1] == "--measure":
            measure(driver, sys.argv[2], sys.argv[3:])
            return
        root, blog = sys.argv[1], sys.argv[2]
        check_site(driver, root, "root")
        check_normalization(driver)
        check_site(driver, blog, "/blog/")
        check_without_javascript(root)
        measure(driver, root, ["institute"])
        driver.get(root + "search/?q=sanctions")
        wait_for_query(driver, "sanctions")
        shot = os.environ.get("SHOT")
        if shot:
            height = driver.execute_script("return document.documentElement.scrollHeight")
            driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                                   {"width": 1280, "height": min(height, 2400), "deviceScaleFactor": 1, "mobile": False})
            driver.save_screenshot(shot)
            print(f"screenshot: {shot}")
    except TimeoutException as error:
        check("no timeout waiting for the page", False, repr(error))
    except Exception as error:  # a broken page must still end with the summary line
        check("the test script ran to the end", False, repr(error)[:500])
    finally:
        driver.quit()
        if sys.argv[1] != "--measure":
            print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
