// The schedule editor's running total, updated as the manager types. Progressive enhancement only: the
// server shows the stored total and checks the schedule against the commitment when it is saved.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("schedule-form");
  const total = document.getElementById("schedule-running-total");
  const source = document.getElementById("schedule-commitment");
  if (!form || !total || !source) {
    return;
  }
  // Cents as integers (BigInt), so the sum is exact whatever the amounts.
  const toCents = (text) => {
    const match = /^\s*(\d{1,15})(?:\.(\d{1,2}))?\s*$/.exec(text || "");
    return match ? BigInt(match[1]) * 100n + BigInt((match[2] || "").padEnd(2, "0")) : null;
  };
  const commitment = toCents(JSON.parse(source.textContent));
  const shareCents = (text) => {
    const value = Number.parseFloat((text || "").trim());
    if (!Number.isFinite(value) || value <= 0 || commitment === null) {
      return null;
    }
    return BigInt(Math.round((Number(commitment) * value) / 100));
  };
  const language = document.documentElement.lang || "en";
  const format = (cents) =>
    new Intl.NumberFormat(language, { style: "currency", currency: "KZT", currencyDisplay: "narrowSymbol" }).format(Number(cents) / 100);
  const update = () => {
    let sum = 0n;
    for (const row of form.querySelectorAll(".schedule-row")) {
      const removed = row.querySelector("input[name$='-DELETE']");
      if (removed && removed.checked) {
        continue;
      }
      const amount = toCents(row.querySelector("input[name$='-amount']").value);
      const share = shareCents(row.querySelector("input[name$='-share']").value);
      sum += amount ?? share ?? 0n;
    }
    total.textContent = format(sum);
    total.classList.toggle("text-danger", commitment !== null && sum !== commitment);
    total.classList.toggle("text-success", commitment !== null && sum === commitment);
  };
  form.addEventListener("input", update);
  form.addEventListener("change", update);
  update();
});
