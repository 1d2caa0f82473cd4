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
        if (navigator.clipboard) return navigator.clipboard.writeText(text);
    }
};
