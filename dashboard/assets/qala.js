/* Qala Atlas: choropleth style and tooltips driven by the GeoJSON `hideout` prop, so colour changes
   never resend geometry; and a quiet note when basemap tiles fail (no network). Text from data is set
   with textContent only, never as HTML. */
window.qala = (function () {
    var hideouts = {};
    function current(context) {
        var id = context && context.id;
        return (id && hideouts[id]) || (context && context.hideout) || {};
    }
    function style(feature, context) {
        var h = (context && context.hideout) || {};
        if (context && context.id) { hideouts[context.id] = h; }
        var fid = feature.properties.fid;
        if (h.outline) {
            return {weight: h.weight || 1.2, color: h.line || "#555", opacity: 0.8, fill: false, dashArray: null};
        }
        var cls = h.classes ? h.classes[fid] : undefined;
        var st;
        if (cls === undefined || cls === null) {
            st = {fillColor: h.nodata || "#d9d9d9", fillOpacity: 0.55, color: "#666", weight: 1, dashArray: "4 3"};
        } else {
            st = {fillColor: h.colors[cls], fillOpacity: h.opacity || 0.72, color: "#333", weight: 1, dashArray: null};
        }
        if (h.selected && h.selected === fid) {
            st.weight = 4; st.color = "#d0021b"; st.dashArray = null;
        }
        return st;
    }
    function onEach(feature, layer, context) {
        layer.bindTooltip(function () {
            var h = current(context);
            var p = feature.properties;
            var name = p["name_" + (h.lang || "en")] || p.name_en || p.fid;
            var el = document.createElement("div");
            var strong = document.createElement("strong");
            strong.textContent = name;
            el.appendChild(strong);
            var label = h.labels ? h.labels[p.fid] : null;
            if (label) {
                el.appendChild(document.createElement("br"));
                el.appendChild(document.createTextNode(label));
            }
            return el;
        }, {sticky: true, className: "qala-tooltip"});
        // Keyboard route: every district is a focusable button; Enter/Space selects it like a click.
        layer.on("add", function () {
            var el = layer.getElement && layer.getElement();
            if (!el) { return; }
            var p = feature.properties;
            el.setAttribute("tabindex", "0");
            el.setAttribute("role", "button");
            el.setAttribute("aria-label", p["name_" + (current(context).lang || "en")] || p.name_en || p.fid);
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
    }
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
    return {style: style, onEach: onEach};
})();
