/* o2o menu pages (a table's QR menu, order for pickup): quantity steppers, option limits (max_choices,
 * required groups), a running total and the cart. The form works without this file; the server checks
 * every rule again (o2o/web/views/ordering_customer.py). No inline scripts (CSP). */
(function () {
  "use strict";

  function money(form, amount) {
    var fmt = form.dataset.moneyFormat || "0.00";
    return fmt.replace(/0[.,]00/, amount.toFixed(2));
  }

  function qtyOf(dish) {
    var input = dish.querySelector(".stepper-input");
    if (!input) return 0;
    var n = parseInt(input.value, 10);
    return isNaN(n) || n < 0 ? 0 : n;
  }

  function unitPrice(dish) {
    var total = parseFloat(dish.dataset.price || "0");
    dish.querySelectorAll(".opt-choices input:checked").forEach(function (i) {
      total += parseFloat(i.dataset.delta || "0");
    });
    return total;
  }

  function chosenText(dish) {
    var names = [];
    dish.querySelectorAll(".opt-choices input:checked").forEach(function (i) { names.push(i.value); });
    return names.join(", ");
  }

  function enforceMax(group, changed) {
    var max = parseInt(group.dataset.max || "1", 10);
    var boxes = group.querySelectorAll("input[type=checkbox]");
    if (!boxes.length) return;
    var checked = group.querySelectorAll("input[type=checkbox]:checked");
    if (max === 1 && changed && changed.checked) {  // one at most: behaves like a radio that can be cleared
      boxes.forEach(function (b) { if (b !== changed) b.checked = false; });
    } else if (checked.length > max && changed) {
      changed.checked = false;
    }
    var full = group.querySelectorAll("input[type=checkbox]:checked").length >= max && max > 1;
    boxes.forEach(function (b) { b.disabled = full && !b.checked; });
  }

  function missingGroup(dish) {
    var groups = dish.querySelectorAll(".opt-group[data-required]");
    for (var i = 0; i < groups.length; i++) {
      if (!groups[i].querySelector("input:checked")) return groups[i].dataset.name;
    }
    return "";
  }

  function setError(dish, text) {
    var p = dish.querySelector(".dish-error");
    if (!p) return;
    p.textContent = text;
    p.hidden = !text;
    dish.classList.toggle("has-error", !!text);
  }

  function init(form) {
    var dishes = Array.prototype.slice.call(form.querySelectorAll(".dish"));
    var list = form.querySelector("[data-cart-lines]");
    var bar = form.querySelector("[data-cart-bar]");
    var cartError = form.querySelector("[data-cart-error]");
    var sending = false;
    var lastPick = "";

    function refresh() {
      var count = 0, total = 0, rows = [], pick = [];
      dishes.forEach(function (d) {
        var q = qtyOf(d);
        d.classList.toggle("is-empty", q === 0);
        d.classList.toggle("is-chosen", q > 0);
        if (!q) return;
        var unit = unitPrice(d);
        count += q;
        total += unit * q;
        pick.push(d.id + ":" + q);
        rows.push({ title: d.dataset.title, q: q, opts: chosenText(d), total: unit * q });
      });
      list.textContent = "";
      if (!rows.length) {
        var li = document.createElement("li");
        li.className = "muted";
        li.textContent = list.dataset.empty;
        list.appendChild(li);
      }
      rows.forEach(function (r) {
        var li = document.createElement("li");
        var left = document.createElement("span");
        left.textContent = r.title + " × " + r.q;
        if (r.opts) {
          left.appendChild(document.createElement("br"));
          var o = document.createElement("span");
          o.className = "muted small";
          o.textContent = r.opts;
          left.appendChild(o);
        }
        var right = document.createElement("span");
        right.textContent = money(form, r.total);
        li.appendChild(left);
        li.appendChild(right);
        list.appendChild(li);
      });
      var totalText = money(form, total);
      form.querySelector("[data-cart-total]").textContent = totalText;
      var countText = count === 1 ? form.dataset.itemsOne : (form.dataset.itemsMany || "%(n)s").replace("%(n)s", count);
      form.querySelector("[data-cart-count]").textContent = countText;
      form.querySelector("[data-cart-bar-total]").textContent = totalText;
      bar.hidden = count === 0;
      var key = pick.join(",");
      if (key !== lastPick) {  // the pickup times depend on the dishes (their prep time)
        lastPick = key;
        form.dispatchEvent(new CustomEvent("o2o:dishes", { bubbles: true }));
      }
    }

    dishes.forEach(function (d) {
      var input = d.querySelector(".stepper-input");
      d.querySelectorAll("[data-step]").forEach(function (btn) {
        btn.addEventListener("click", function () {
          var n = Math.max(0, Math.min(parseInt(input.max || "50", 10), qtyOf(d) + parseInt(btn.dataset.step, 10)));
          input.value = String(n);
          if (n === 0) setError(d, "");
          refresh();
        });
      });
      if (input) input.addEventListener("input", refresh);
      d.querySelectorAll(".opt-group").forEach(function (g) {
        enforceMax(g, null);
        g.addEventListener("change", function (e) {
          enforceMax(g, e.target);
          if (d.classList.contains("has-error") && !missingGroup(d)) setError(d, "");
          refresh();
        });
      });
    });

    form.addEventListener("submit", function (e) {
      if (sending) { e.preventDefault(); return; }  // a double tap sends one order
      var firstBad = null, any = false;
      dishes.forEach(function (d) {
        if (!qtyOf(d)) return;
        any = true;
        var missing = missingGroup(d);
        if (missing) {
          setError(d, (form.dataset.choose || "%(g)s").replace("%(g)s", missing));
          firstBad = firstBad || d;
        }
      });
      var message = "";
      if (!any) message = form.dataset.emptyCart;
      else if (form.querySelector("[data-slots]") && !form.querySelector("input[name=slot]:checked")) {
        message = form.dataset.chooseSlot;
      }
      if (cartError) { cartError.textContent = message; cartError.hidden = !message; }
      if (firstBad || message) {
        e.preventDefault();
        if (firstBad) firstBad.scrollIntoView({ block: "center" });
        return;
      }
      sending = true;
    });

    document.documentElement.classList.add("js-menu");
    refresh();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-menu]").forEach(init);
  });
})();
