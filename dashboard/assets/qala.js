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
    }
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
