/*
 * The article editor in the admin: an "Upload image" button beside markdownx's
 * drag-and-drop, and one upload path for both that shows the server's own message
 * next to the editor when an image is refused. markdownx would type "Invalid
 * response" into the article instead; nothing but a valid image's Markdown is ever
 * inserted here. A static file, so the admin keeps its strict Content-Security-Policy.
 */
(function () {
  "use strict";

  function csrfToken(form) {
    var field = form && form.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  function insertAtCursor(textarea, text) {
    var start = textarea.selectionStart, end = textarea.selectionEnd;
    var before = textarea.value.slice(0, start), after = textarea.value.slice(end);
    var padded = (before && !before.endsWith("\n") ? "\n\n" : "") + text + "\n\n";
    textarea.value = before + padded + after;
    textarea.selectionStart = textarea.selectionEnd = start + padded.length;
    // markdownx refreshes its preview on input.
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function setup(container) {
    var textarea = container.querySelector("textarea");
    if (!textarea || container.dataset.clinicEditor) return;
    container.dataset.clinicEditor = "ready";
    var uploadUrl = textarea.getAttribute("data-markdownx-upload-urls-path");

    var tools = document.createElement("div");
    tools.className = "editor-tools";
    var button = document.createElement("button");
    button.type = "button";
    button.className = "button";
    button.textContent = "Upload image";
    var picker = document.createElement("input");
    picker.type = "file";
    picker.accept = "image/png,image/jpeg,image/webp";
    picker.hidden = true;
    var hint = document.createElement("span");
    hint.className = "help";
    hint.textContent = " PNG, JPEG or WebP. You can also drag an image into the text.";
    var status = document.createElement("div");
    status.className = "editor-status";
    status.setAttribute("role", "status");
    var problem = document.createElement("div");
    problem.className = "errornote editor-problem";
    problem.setAttribute("role", "alert");
    problem.hidden = true;
    tools.append(button, picker, hint, status, problem);
    container.parentNode.insertBefore(tools, container);

    function showProblem(message) {
      status.textContent = "";
      problem.textContent = message + " The article text has not been changed.";
      problem.hidden = false;
    }

    function upload(file) {
      problem.hidden = true;
      status.textContent = "Uploading " + file.name + "…";
      var data = new FormData();
      data.append("image", file);
      fetch(uploadUrl, {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken(textarea.form), "X-Requested-With": "XMLHttpRequest" }
      })
        .then(function (response) {
          return response.json().then(
            function (body) { return { ok: response.ok, status: response.status, body: body }; },
            function () { return { ok: false, status: response.status, body: {} }; }
          );
        })
        .then(function (result) {
          if (result.ok && result.body.image_code) {
            insertAtCursor(textarea, result.body.image_code);
            status.textContent = "Image added. Replace “Describe the image here” with a short description.";
            return;
          }
          var messages = result.body.image || [];
          showProblem(messages[0] || "The image could not be uploaded (error " + result.status + ").");
        })
        .catch(function () {
          showProblem("The image could not be uploaded: the connection failed. Try again.");
        });
    }

    button.addEventListener("click", function () { picker.click(); });
    picker.addEventListener("change", function () {
      Array.prototype.forEach.call(picker.files, upload);
      picker.value = "";
    });
    // Capture phase on the container runs before markdownx's own handlers on the
    // textarea; stopping the event here keeps markdownx from uploading it again.
    function takeFiles(event, files) {
      if (!files || !files.length) return;
      event.preventDefault();
      event.stopPropagation();
      Array.prototype.forEach.call(files, upload);
    }
    container.addEventListener("drop", function (event) {
      takeFiles(event, event.dataTransfer && event.dataTransfer.files);
    }, true);
    container.addEventListener("paste", function (event) {
      takeFiles(event, event.clipboardData && event.clipboardData.files);
    }, true);
  }

  function init() {
    document.querySelectorAll(".markdownx").forEach(setup);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();

/*
 * Unsaved changes: once an editor types in the article form, leaving the page (closing
 * the tab, following a link, going back) asks the browser's own "Leave site?" question.
 * Pressing one of the form's buttons is not leaving.
 */
(function () {
  "use strict";

  function watch() {
    var form = document.getElementById("article_form");
    if (!form) return;
    var unsaved = false;
    function changed() { unsaved = true; }
    form.addEventListener("input", changed);
    form.addEventListener("change", changed);
    form.addEventListener("submit", function () { unsaved = false; });
    window.addEventListener("beforeunload", function (event) {
      if (!unsaved) return;
      event.preventDefault();
      event.returnValue = "";  // older browsers need a value to ask
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", watch);
  } else {
    watch();
  }
})();
