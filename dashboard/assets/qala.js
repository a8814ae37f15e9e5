/* Qala Atlas: choropleth style and tooltips driven by the GeoJSON `hideout` prop, so colour changes
   never resend geometry; hatching of unreliable values; district names as map labels that never overlap;
   the drawers of small screens; and a quiet note when basemap tiles fail (no network). Text from data is
   set with textContent only, never as HTML. */
window.qala = (function () {
    var hideouts = {};
    var labels = {};        // "<layer id>|<fid>" -> {tip, layer, feature, area, id}
    var maps = [];          // Leaflet maps seen (re-measured when their box changes)
    var SVGNS = "http://www.w3.org/2000/svg";
    // A layer's key: its id, or the JSON of a pattern id (the second map's layers), so two layers never share one.
    function idOf(context) {
        var id = context && context.id;
        return (id && typeof id === "object") ? JSON.stringify(id) : id;
    }
    function current(context) {
        var id = idOf(context);
        return (id && hideouts[id]) || (context && context.hideout) || {};
    }
    function nameOf(feature, h) {
        var p = feature.properties;
        if (h.names && h.names[p.fid]) { return h.names[p.fid]; }
        return p["name_" + (h.lang || "en")] || p.name_en || p.fid;
    }

    // --- hatching: one SVG pattern per class colour (the colour under diagonal lines: light lines on a dark
    // colour, dark ones on a light colour, so the hatching shows on every class) ---
    function dark(color) {
        var m = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(String(color));
        if (!m) { return false; }
        var rgb = [m[1], m[2], m[3]].map(function (x) { return parseInt(x, 16) / 255; });
        return 0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2] < 0.35;
    }
    function hatchFill(color) {
        var id = "qala-hatch-" + String(color).replace(/[^a-zA-Z0-9]/g, "");
        if (document.getElementById(id)) { return "url(#" + id + ")"; }
        var svg = document.getElementById("qala-defs");
        if (!svg) {
            svg = document.createElementNS(SVGNS, "svg");
            svg.setAttribute("id", "qala-defs");
            svg.setAttribute("width", "0");
            svg.setAttribute("height", "0");
            svg.setAttribute("aria-hidden", "true");
            svg.setAttribute("focusable", "false");
            svg.appendChild(document.createElementNS(SVGNS, "defs"));
            document.body.appendChild(svg);
        }
        var pat = document.createElementNS(SVGNS, "pattern");
        pat.setAttribute("id", id);
        pat.setAttribute("patternUnits", "userSpaceOnUse");
        pat.setAttribute("width", "7");
        pat.setAttribute("height", "7");
        pat.setAttribute("patternTransform", "rotate(45)");
        var rect = document.createElementNS(SVGNS, "rect");
        rect.setAttribute("width", "7");
        rect.setAttribute("height", "7");
        rect.setAttribute("fill", color);
        var line = document.createElementNS(SVGNS, "rect");
        line.setAttribute("width", "2.2");
        line.setAttribute("height", "7");
        line.setAttribute("fill", dark(color) ? "#ffffff" : "#1d1d1d");
        line.setAttribute("fill-opacity", "0.7");
        pat.appendChild(rect);
        pat.appendChild(line);
        svg.firstChild.appendChild(pat);
        return "url(#" + id + ")";
    }

    function style(feature, context) {
        var h = (context && context.hideout) || {};
        if (idOf(context)) { hideouts[idOf(context)] = h; relabel(idOf(context), feature, h); }
        var fid = feature.properties.fid;
        if (h.hidden) {  // another layer (a joined upload) replaces this one while it is shown
            return {opacity: 0, fillOpacity: 0, weight: 0, fill: false, stroke: false};
        }
        if (h.outline) {
            return {weight: h.weight || 1.2, color: h.line || "#555", opacity: 0.8, fill: false, dashArray: null};
        }
        var cls = h.classes ? h.classes[fid] : undefined;
        var st;
        if (cls === undefined || cls === null) {
            st = {fillColor: h.nodata || "#d9d9d9", fillOpacity: 0.55, color: "#666", weight: 1, dashArray: "4 3"};
        } else {
            var color = h.colors[cls];
            st = {fillColor: (h.hatched && h.hatched[fid]) ? hatchFill(color) : color,
                  fillOpacity: h.opacity || 0.72, color: "#333", weight: 1, dashArray: null};
        }
        if (h.selected && h.selected === fid) {
            st.weight = 4; st.color = "#d0021b"; st.dashArray = null;
        }
        return st;
    }

    // --- labels: a permanent, non-interactive tooltip per feature at its widest inner point ---
    function ringArea(ring) {
        var a = 0;
        for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) {
            a += (ring[j][0] + ring[i][0]) * (ring[j][1] - ring[i][1]);
        }
        return Math.abs(a / 2);
    }
    function polygons(geom) {
        if (!geom) { return []; }
        if (geom.type === "Polygon") { return [geom.coordinates]; }
        if (geom.type === "MultiPolygon") { return geom.coordinates; }
        return [];
    }
    // Where a label goes: on the largest part, the middle of the widest inside span of the horizontal line
    // through the part's centre (holes counted), which stays inside concave shapes where a centroid need not.
    function anchor(geom) {
        var best = null, area = 0, total = 0;
        polygons(geom).forEach(function (poly) {
            var a = ringArea(poly[0]) - poly.slice(1).reduce(function (s, r) { return s + ringArea(r); }, 0);
            total += a;
            if (a > area) { area = a; best = poly; }
        });
        if (!best) { return null; }
        var ys = best[0].map(function (c) { return c[1]; });
        var y0 = Math.min.apply(null, ys), y1 = Math.max.apply(null, ys);
        var pick = null, width = -1;
        [0.5, 0.4, 0.6, 0.3, 0.7].forEach(function (f) {
            var y = y0 + (y1 - y0) * f, xs = [];
            best.forEach(function (ring) {
                for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) {
                    var a = ring[j], b = ring[i];
                    if ((a[1] > y) !== (b[1] > y)) { xs.push(a[0] + (y - a[1]) * (b[0] - a[0]) / (b[1] - a[1])); }
                }
            });
            xs.sort(function (p, q) { return p - q; });
            for (var k = 0; k + 1 < xs.length; k += 2) {
                // prefer the middle line: spans of other lines must be clearly wider to win
                var w = (xs[k + 1] - xs[k]) * (f === 0.5 ? 1.25 : 1);
                if (w > width) { width = w; pick = [y, (xs[k] + xs[k + 1]) / 2]; }
            }
        });
        return pick ? {latlng: pick, area: total} : null;
    }
    function mapOf(layer) { return layer._map || null; }
    function addLabel(feature, layer, context) {
        var h = current(context);
        var key = idOf(context) + "|" + feature.properties.fid;
        removeLabel(key);
        var map = mapOf(layer);
        var spot = anchor(feature.geometry);
        if (!map || !spot || h.nolabels || !window.L) { return; }
        var tip = window.L.tooltip({permanent: true, direction: "center", className: "qala-label",
                                    interactive: false, opacity: 1});
        tip.setLatLng(spot.latlng).setContent(textNode(nameOf(feature, h)));
        tip.openOn(map);
        labels[key] = {tip: tip, layer: layer, area: spot.area, map: map, side: false};
        watch(map);
        schedule();
    }
    function textNode(text) {
        var span = document.createElement("span");
        span.textContent = text;
        return span;
    }
    function removeLabel(key) {
        var item = labels[key];
        if (!item) { return; }
        item.tip.close();
        delete labels[key];
    }
    function relabel(id, feature, h) {
        var item = labels[id + "|" + feature.properties.fid];
        if (!item) { return; }
        var text = nameOf(feature, h);
        if (item.tip.getContent().textContent !== text) { item.tip.setContent(textNode(text)); schedule(); }
        var el = item.tip.getElement();
        if (el) { el.classList.toggle("qala-label-off", !!h.nolabels); }
    }
    // Collision pass: larger features first; a label whose box meets an already kept one is hidden. A feature
    // smaller on screen than its name gets the name beside it (right), not over it.
    var pending = null;
    function schedule() {
        if (pending) { return; }
        pending = window.setTimeout(function () { pending = null; declutter(); }, 30);
    }
    function declutter() {
        var items = Object.keys(labels).map(function (k) { return labels[k]; });
        items.sort(function (a, b) { return b.area - a.area; });
        var kept = [];
        items.forEach(function (item) {
            var el = item.tip.getElement();
            if (!el || !item.layer._map) { return; }
            var box = item.layer.getBounds ? item.layer.getBounds() : null;
            if (box) {
                var p0 = item.map.latLngToContainerPoint(box.getSouthWest());
                var p1 = item.map.latLngToContainerPoint(box.getNorthEast());
                var small = Math.abs(p1.x - p0.x) < el.offsetWidth || Math.abs(p1.y - p0.y) < 2 * el.offsetHeight;
                if (small !== item.side) {
                    item.side = small;
                    item.tip.options.direction = small ? "right" : "center";
                    item.tip.options.offset = small ? [10, 0] : [0, 0];
                    item.tip.update();
                }
            }
            el.classList.remove("qala-label-hidden");
            if (el.classList.contains("qala-label-off")) { return; }
            var r = el.getBoundingClientRect();
            var hit = kept.some(function (k) {
                return r.left < k.right && k.left < r.right && r.top < k.bottom && k.top < r.bottom;
            });
            if (hit) { el.classList.add("qala-label-hidden"); } else { kept.push(r); }
        });
    }

    // --- maps: re-measure when the box changes (drawers, rotation), re-run the collision pass on moves ---
    function watch(map) {
        if (maps.indexOf(map) >= 0) { return; }
        maps = maps.filter(function (m) { return document.body.contains(m.getContainer()); });
        maps.push(map);
        map.on("zoomend moveend resize", schedule);
        map.on("move zoomend", function () { follow(map); });
        map.whenReady(function () { window.setTimeout(function () { lead(map); }, 50); });
        if (window.ResizeObserver) {
            new window.ResizeObserver(function () {
                following = true;  // a re-measure is no move by the user: the other map does not follow it
                try { map.invalidateSize({pan: false}); } finally { following = false; }
                schedule();
            }).observe(map.getContainer());
        }
    }
    // --- two dates side by side: the maps of the map area move together. A move of one sets the view of the
    // others (without animation, guarded so the followers' own move events do not echo back); a map added
    // later (the second one) first takes the view of the one already there. ---
    var following = false;
    function peers(map) {
        return maps.filter(function (m) {
            var box = m.getContainer();
            return m !== map && m._loaded && document.body.contains(box) && box.closest(".mapwrap");
        });
    }
    function follow(map) {
        if (following || !map._loaded || !map.getContainer().closest(".mapwrap")) { return; }
        following = true;
        try {
            peers(map).forEach(function (m) { m.setView(map.getCenter(), map.getZoom(), {animate: false}); });
        } finally { following = false; }
    }
    function lead(map) {
        // the new map was framed on the city at its own (half) size: the others, now of that size, take its view
        if (!peers(map).length || !map.getContainer().closest(".mapwrap")) { return; }
        peers(map).forEach(function (m) { m.invalidateSize({pan: false}); });
        follow(map);
    }
    if (window.L && window.L.Map && window.L.Map.addInitHook) {
        window.L.Map.addInitHook(function () { watch(this); });
    }

    function onEach(feature, layer, context) {
        layer.bindTooltip(function () {
            var h = current(context);
            var p = feature.properties;
            var el = document.createElement("div");
            var strong = document.createElement("strong");
            strong.textContent = nameOf(feature, h);
            el.appendChild(strong);
            var label = h.labels ? h.labels[p.fid] : null;
            if (label) {
                el.appendChild(document.createElement("br"));
                el.appendChild(document.createTextNode(label));
            }
            var why = h.why ? h.why[p.fid] : null;
            if (why) {
                var note = document.createElement("div");
                note.className = "qala-why";
                note.textContent = "▨ " + why;
                el.appendChild(note);
            }
            return el;
        }, {sticky: true, className: "qala-tooltip"});
        // Keyboard route: every district is a focusable button; Enter/Space selects it like a click.
        layer.on("add", function () {
            addLabel(feature, layer, context);
            var el = layer.getElement && layer.getElement();
            if (!el) { return; }
            var p = feature.properties;
            el.setAttribute("tabindex", "0");
            el.setAttribute("role", "button");
            el.setAttribute("aria-label", nameOf(feature, current(context)));
            var at = function () { return layer.getBounds().getCenter(); };
            el.addEventListener("keydown", function (ev) {
                if (ev.key === "Enter" || ev.key === " ") {
                    ev.preventDefault();
                    layer.fire("click", {latlng: at()}, true);
                }
            });
            el.addEventListener("focus", function () { layer.openTooltip(at()); });
            el.addEventListener("blur", function () { layer.closeTooltip(); });
        });
        layer.on("remove", function () {
            removeLabel(idOf(context) + "|" + feature.properties.fid);
        });
    }

    // --- drawers (small screens): a toggle button opens its panel over the map; Escape closes it ---
    function setDrawer(id, open) {
        var toggles = document.querySelectorAll(".drawer-toggle");
        Array.prototype.forEach.call(toggles, function (btn) {
            var target = btn.getAttribute("aria-controls");
            var on = target === id ? open : false;  // one drawer at a time
            btn.setAttribute("aria-expanded", on ? "true" : "false");
            var panel = document.getElementById(target);
            if (panel) { panel.classList.toggle("drawer-open", on); }
        });
        document.body.classList.toggle("drawer-shown", open);
    }
    document.addEventListener("click", function (e) {
        var btn = e.target && e.target.closest ? e.target.closest(".drawer-toggle") : null;
        if (!btn) { return; }
        setDrawer(btn.getAttribute("aria-controls"), btn.getAttribute("aria-expanded") !== "true");
    });
    document.addEventListener("keydown", function (e) {
        if (e.key !== "Escape") { return; }
        var open = document.querySelector(".drawer-toggle[aria-expanded='true']");
        if (open) { setDrawer(open.getAttribute("aria-controls"), false); open.focus(); }
    });

    // The page's language on <html> too (assistive technology and axe read it there): #root carries the
    // interface language and the language callback changes it.
    function syncLang() {
        var root = document.getElementById("root");
        var lang = root && root.getAttribute("lang");
        if (lang && document.documentElement.getAttribute("lang") !== lang) {
            document.documentElement.setAttribute("lang", lang);
        }
    }
    // Dash renders radio buttons as a listbox of options with no group around them, and the file input of
    // dcc.Upload with no name: give each radio set a labelled radiogroup (its <label for>) and the file
    // input the drop zone's text as its name. Idempotent, so re-rendered controls are simply fixed again.
    function groupRadios() {
        Array.prototype.forEach.call(document.querySelectorAll(".dash-radioitems[id]"), function (list) {
            var label = document.querySelector("label[for='" + list.id + "']");
            var parent = list.parentElement;
            var others = parent.querySelectorAll("select, textarea, button, input:not([type='radio'])");
            var group = others.length ? list : parent;
            if (group.getAttribute("role") !== "radiogroup") { group.setAttribute("role", "radiogroup"); }
            if (label && label.id && group.getAttribute("aria-labelledby") !== label.id) {
                group.setAttribute("aria-labelledby", label.id);
            }
            Array.prototype.forEach.call(list.querySelectorAll("[role='option']"), function (opt) {
                opt.removeAttribute("role");  // a radio's label, not a listbox option
                opt.removeAttribute("aria-selected");
            });
            if (group !== list && list.getAttribute("role") === "listbox") { list.removeAttribute("role"); }
        });
        Array.prototype.forEach.call(document.querySelectorAll("#upload input[type='file']"), function (input) {
            if (input.getAttribute("aria-labelledby") !== "upload-hint") {
                input.setAttribute("aria-labelledby", "upload-hint");
            }
            if (input.hasAttribute("autocomplete")) { input.removeAttribute("autocomplete"); }
        });
    }
    var fixing = false;
    new window.MutationObserver(function () {
        if (fixing) { return; }
        fixing = true;
        try { syncLang(); groupRadios(); } finally { fixing = false; }
    }).observe(document.documentElement, {subtree: true, childList: true, attributes: true,
                                         attributeFilter: ["lang", "role", "aria-selected"]});

    function flagSize(files) {
        var zone = document.getElementById("upload-zone");
        var limit = zone ? +zone.getAttribute("data-limit") : 0;
        var big = Array.prototype.some.call(files || [], function (f) { return limit && f.size > limit; });
        document.body.classList.toggle("upload-toobig", big);
    }
    document.addEventListener("change", function (e) {
        if (e.target && e.target.type === "file") { flagSize(e.target.files); }
    }, true);
    document.addEventListener("drop", function (e) {
        if (e.dataTransfer) { flagSize(e.dataTransfer.files); }
    }, true);
    document.addEventListener("error", function (e) {
        var target = e.target;
        if (target && target.tagName === "IMG" && target.classList.contains("leaflet-tile")) {
            document.body.classList.add("basemap-down");
        }
    }, true);
    document.addEventListener("load", function (e) {
        var target = e.target;
        if (target && target.tagName === "IMG" && target.classList.contains("leaflet-tile")) {
            document.body.classList.add("basemap-up");
        }
    }, true);
    // The zoom and centre of each map in the map area (two with two dates side by side): the browser tests read it.
    function views() {
        return maps.filter(function (m) { return m._loaded && document.body.contains(m.getContainer()); })
            .map(function (m) { var c = m.getCenter(); return [m.getZoom(), c.lat, c.lng]; });
    }
    return {style: style, onEach: onEach, declutter: declutter, setDrawer: setDrawer, views: views};
})();
