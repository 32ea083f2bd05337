"""Drives Debian's chromium (headless, through chromium-driver and Selenium) on a broker's live
view page for LiveViewBrowserTests.

Loads the page, waits until it shows the partition led by --old-leader with that leader in its
ISR, writes --ready-file (the test then kills the leader), and waits until the page shows another
leader and an ISR without the old one. Prints one JSON object: the page's clock when it showed
each (the cells' data-updated-ms), the cells' text and marks, the change-log entries, and every
console message of level SEVERE. Exits 0 once the page showed the change, 2 on timeout.
"""
import argparse
import json
import sys
import time

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--topic", required=True)
    parser.add_argument("--partition", type=int, default=0)
    parser.add_argument("--old-leader", required=True)
    parser.add_argument("--ready-file", required=True)
    parser.add_argument("--timeout", type=float, default=90.0)
    args = parser.parse_args()

    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                 "--no-first-run", "--disable-extensions"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    key = "%s-%d" % (args.topic, args.partition)
    result = {"shown": False}
    try:
        driver.get(args.url)

        def cells():
            leader = driver.find_elements(By.ID, "leader-" + key)
            isr = driver.find_elements(By.ID, "isr-" + key)
            if not leader or not isr:
                return None
            return leader[0], isr[0]

        deadline = time.monotonic() + args.timeout
        while True:
            found = cells()
            if found and found[0].text == args.old_leader and args.old_leader in found[1].text.split(","):
                break
            if time.monotonic() > deadline:
                result["error"] = "the page never showed leader %s" % args.old_leader
                print(json.dumps(result))
                return 2
            time.sleep(0.05)
        with open(args.ready_file, "w") as ready:
            ready.write("ready\n")

        while True:
            found = cells()
            if found:
                leader, isr = found[0].text, found[1].text.split(",")
                if leader not in ("", "none", args.old_leader) and args.old_leader not in isr:
                    break
            if time.monotonic() > deadline:
                result["error"] = "the page never showed a new leader and a shrunken ISR"
                break
            time.sleep(0.02)

        leader_cell, isr_cell = cells()
        result.update({
            "shown": "error" not in result,
            "leader": leader_cell.text,
            "isr": isr_cell.text,
            "leaderShownMs": int(leader_cell.get_attribute("data-updated-ms") or 0),
            "isrShownMs": int(isr_cell.get_attribute("data-updated-ms") or 0),
            "leaderMarked": "changed" in (leader_cell.get_attribute("class") or ""),
            "isrMarked": "changed" in (isr_cell.get_attribute("class") or ""),
            "changes": [item.text for item in driver.find_elements(By.CSS_SELECTOR, "#changes li")],
            "status": driver.find_element(By.ID, "status").text,
        })
        result["consoleErrors"] = [entry["message"] for entry in driver.get_log("browser")
                                   if entry.get("level") == "SEVERE"]
    finally:
        driver.quit()
    print(json.dumps(result))
    return 0 if result["shown"] else 2


if __name__ == "__main__":
    sys.exit(main())
