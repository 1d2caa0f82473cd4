// Small helpers the console calls through JS interop.
window.jitgate = {
    // Completion of the table and column names the user may read; replaced whenever the database changes.
    _completion: null,
    setCompletions: function (items) {
        if (typeof monaco === "undefined") return;
        if (this._completion) this._completion.dispose();
        this._completion = monaco.languages.registerCompletionItemProvider("sql", {
            provideCompletionItems: function (model, position) {
                const word = model.getWordUntilPosition(position);
                const range = { startLineNumber: position.lineNumber, endLineNumber: position.lineNumber, startColumn: word.startColumn, endColumn: word.endColumn };
                return {
                    suggestions: items.map(function (i) {
                        return {
                            label: i.label,
                            kind: i.kind === "column" ? monaco.languages.CompletionItemKind.Field : monaco.languages.CompletionItemKind.Struct,
                            detail: i.detail,
                            insertText: i.label,
                            range: range
                        };
                    })
                };
            }
        });
    },
    _editor: function () {
        if (typeof monaco === "undefined") return null;
        const editors = monaco.editor.getEditors();
        return editors.length > 0 ? editors[editors.length - 1] : null;
    },
    // A run closes the completion list, which would otherwise stay over the results.
    hideSuggest: function () {
        const editor = this._editor();
        if (editor) editor.trigger("jitgate", "hideSuggestWidget", {});
    },
    // Puts text where the cursor is (replacing a selection), as a click on a table name in the tree does.
    insert: function (text) {
        const editor = this._editor();
        if (!editor) return;
        const selection = editor.getSelection();
        editor.executeEdits("jitgate", [{ range: selection, text: text, forceMoveMarkers: true }]);
        editor.focus();
    },
    // The editor's sheets (tabs, statement, database) are kept per user in the browser's local storage,
    // so a reload finds them as they were. The statement is saved as it is typed.
    sheets: {
        load: function (key) {
            try { return localStorage.getItem(key); } catch (e) { return null; }
        },
        save: function (key, json) {
            try { localStorage.setItem(key, json); } catch (e) { }
        },
        _tracked: null,
        _timer: null,
        track: function (key) {
            const editor = window.jitgate._editor();
            if (!editor) return;
            if (this._tracked) this._tracked.dispose();
            const self = this;
            this._tracked = editor.onDidChangeModelContent(function () {
                clearTimeout(self._timer);
                self._timer = setTimeout(function () {
                    const stored = self.load(key);
                    if (!stored) return;
                    const state = JSON.parse(stored);
                    const sheet = state.sheets && state.sheets[state.active];
                    if (!sheet) return;
                    sheet.statement = editor.getValue();
                    self.save(key, JSON.stringify(state));
                }, 150);
            });
        }
    },
    download: function (fileName, text) {
        const blob = new Blob([text], { type: "text/csv;charset=utf-8" });
        const url = URL.createObjectURL(blob);
        const a = document.createElement("a");
        a.href = url;
        a.download = fileName;
        document.body.appendChild(a);
        a.click();
        a.remove();
        URL.revokeObjectURL(url);
    },
    copy: function (text) {
        if (navigator.clipboard) return navigator.clipboard.writeText(text).catch(function () { });
    }
};
