// The scaffolding every rackpower editor dialog shares, served by Node-RED from this package's resources/ folder and
// loaded by each node's HTML before its own script:
//   <script src="resources/node-red-contrib-rackpower/migrations.js"></script>  (window.rackpowerMigrations)
//   <script src="resources/node-red-contrib-rackpower/editor.js"></script>      (window.rackpowerEditor)
// migrations.js is nodes/lib/migrations.ts compiled (scripts/build.mjs writes it): the runtime's own config migrations,
// so a dialog opened on a node saved by an older rackpower shows the node in the current shape, with its config node
// still selected, and saves it in that shape.
(function () {
    'use strict';
    if (window.rackpowerEditor) return;
    // Node-RED loads a module's <script src> files in parallel and runs them as they arrive, so migrations.js may
    // run after this file; the dialogs' own scripts run once all have loaded. Read it when a dialog needs it.
    function M() {
        return window.rackpowerMigrations;
    }

    /** The node's settings as its saved flow JSON has them (fields of `defaults`), for the migrations. */
    function saved(node) {
        const config = { type: node.type };
        for (const key in node._def.defaults) config[key] = node[key];
        return config;
    }

    /** The node in the current shape, whatever version it was saved in (for labels and validators). */
    function current(node) {
        return M().migrateConfig(saved(node));
    }

    function inputPrefix(definition) {
        return definition.category === 'config' ? 'node-config-input' : 'node-input';
    }

    /** Sets a dialog field; a config node select already lists every node of its type, so the id selects it. */
    function setInput(input, value) {
        if (input.attr('type') === 'checkbox') input.prop('checked', value === true);
        else input.val(value === undefined || value === null ? '' : String(value));
    }

    /** Shows an old node's settings in the fields of the current shape (a renamed field's value in its new field). */
    function migrateDialog(node, prefix) {
        const before = saved(node);
        const after = M().migrateConfig(before);
        for (const key in after) {
            if (key === 'type' || !(key in node._def.defaults) || after[key] === before[key]) continue;
            const input = $('#' + prefix + '-' + key);
            if (input.length) setInput(input, after[key]);
        }
    }

    /**
     * After Done: the retired fields go (undefined is left out of the flow JSON), the node is in the current version.
     * A retired field that named a config node no longer uses it; the field that replaced it does.
     */
    function retire(node) {
        const retired = M().RETIRED_FIELDS[node.type] || {};
        for (const old in retired) {
            const conf = node._def.defaults[old].type && node[old] ? RED.nodes.node(node[old]) : null;
            if (conf && conf.users) conf.users = conf.users.filter(function (u) { return u !== node; });
            node[old] = undefined;
        }
        node.configVersion = M().currentVersion(node.type);
    }

    /**
     * `defaults` plus configVersion and the retired fields: Node-RED keeps only declared fields when it loads a flow,
     * so an old node's `endpoint` must stay declared until its dialog has moved it (a config node reference keeps its
     * type, so a copied flow's new ids reach it too).
     */
    function fullDefaults(type, defaults) {
        const all = Object.assign({}, defaults, { configVersion: { value: M().currentVersion(type) } });
        const retired = M().RETIRED_FIELDS[type] || {};
        for (const old in retired) {
            const replacement = defaults[retired[old]];
            all[old] = replacement && replacement.type ? { value: undefined, type: replacement.type, required: false } : { value: undefined };
        }
        return all;
    }

    /** Palette, node and port labels from the node's catalog: `paletteLabel`, `inputs`, `outputs`. */
    function catalogLabels(type, spec) {
        if (spec.category === 'config') return { paletteLabel: function () { return this._(type + '.paletteLabel'); } };
        return {
            category: 'rackpower',
            paletteLabel: function () { return this._(type + '.paletteLabel'); },
            label: function () { return this.name || this._(type + '.paletteLabel'); },
            inputLabels: function () { return this._(type + '.inputs'); },
            outputLabels: function () { return this._(type + '.outputs'); }
        };
    }

    /**
     * One node type's editor: `t` reads its catalog (Node-RED binds `_` to it once registered), `register` registers
     * the definition with the shared labels, migrations and dialog steps around the node's own.
     */
    function node(type) {
        const definition = {};
        function t(key, subs) {
            return definition._(type + '.' + key, subs);
        }
        function register(spec) {
            Object.assign(definition, catalogLabels(type, spec), spec);
            definition.defaults = fullDefaults(type, spec.defaults);
            const prefix = inputPrefix(definition);
            definition.oneditprepare = function () {
                migrateDialog(this, prefix);
                if (spec.oneditprepare) spec.oneditprepare.call(this);
            };
            definition.oneditsave = function () {
                const result = spec.oneditsave ? spec.oneditsave.call(this) : undefined;
                retire(this);
                return result;
            };
            RED.nodes.registerType(type, definition);
            return definition;
        }
        // Validators take (value, opt): Node-RED shows a returned text as the field's tooltip only from a validator
        // with two parameters, and takes a one-parameter validator's text for "valid".
        /** A validator for a whole number ≥ 0, or blank (the runtime's default). */
        function count(key) {
            return function (v, _opt) {
                const n = M().editorNumber(v);
                return v === '' || v === undefined || (Number.isInteger(n) && n >= 0) || t('errors.' + key);
            };
        }
        /** A validator for a whole number from `min` to `max` (the runtime's own check, nodes/lib/validate.ts). */
        function intIn(min, max, key) {
            return function (v, _opt) { return window.rackpowerValidate.isIntIn(v, min, max) || t('errors.' + key); };
        }
        /** A validator that also accepts a blank field (the runtime's default). */
        function blankOr(validate) {
            return function (v, opt) { return v === '' || v === undefined || validate.call(this, v, opt); };
        }
        /** Runs `update` now and whenever a field `selector` names changes: the rows the chosen mode needs. */
        function rowsFollow(selector, update) {
            $(selector).on('change', update);
            update();
        }
        /** A validator: the config node `field` names (in the current shape) is chosen, or `when` says it is not needed. */
        function configChosen(field, key, when) {
            return function (v, _opt) {
                const value = v !== undefined ? v : current(this)[field];
                return (when && !when(this)) || (!!value && value !== '_ADD_') || t(key);
            };
        }
        /** Fills `select` with the profiles whose control section `can` accepts (see controlProfiles). */
        function profilesFor(select, wanted, can, title, onListed) {
            controlProfiles(t, select, wanted, can, title, onListed);
        }
        return { t: t, register: register, count: count, intIn: intIn, blankOr: blankOr, configChosen: configChosen, rowsFollow: rowsFollow, current: current, controlProfiles: profilesFor };
    }

    /**
     * A profile list for a control node: the profiles /rackpower/profiles says can do this (shipped and the user's
     * own), never a list written in a dialog. A saved profile this Node-RED lacks stays selected, marked, rather than
     * switching silently; until the list arrives the saved choice stays selected as it is, so saving early keeps it.
     */
    function controlProfiles(t, select, wanted, can, title, onListed) {
        const saved = wanted && wanted !== 'auto' ? $('<option>').val(wanted).text(wanted).appendTo(select) : $();
        select.val(wanted || 'auto');
        $.getJSON('rackpower/profiles').done(function (profiles) {
            saved.remove();
            const listed = profiles.filter(function (p) { return p.control && can(p); }).sort(function (a, b) {
                return a.vendor.localeCompare(b.vendor) || a.id.localeCompare(b.id);
            });
            listed.forEach(function (p) {
                $('<option>').val(p.id).text(p.vendor + ' ' + p.models.slice(0, 3).join(', ') + ' (' + p.id + ')')
                    .attr('title', title ? title(p) : null).appendTo(select);
            });
            if (wanted && !select.find('option').toArray().some(function (o) { return o.value === wanted; })) {
                $('<option>').val(wanted).text(t('profile.unknown', { id: wanted })).appendTo(select);
            }
            select.val(wanted || 'auto');
            if (onListed) onListed(listed);
        });
    }

    /**
     * The field's value while the node's dialog is open, otherwise its saved (migrated) value. A config node's dialog
     * opens over its user's, whose fields have the other prefix: a NUT server's `protocol` is not the UPS node's.
     */
    function fieldOf(node, field) {
        const input = $('#' + inputPrefix(node._def) + '-' + field);
        return input.length ? input.val() : current(node)[field];
    }

    window.rackpowerEditor = { node: node, current: current, fieldOf: fieldOf };
})();
