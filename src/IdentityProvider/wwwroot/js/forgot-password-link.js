// The manual's step (1) of: the address typed on the login page comes along to the
// forgot-password page. Without scripts the link still works; the address is typed there.
(function () {
    var link = document.getElementById("forgot-password-link");
    var email = document.getElementById("email");
    if (!link || !email) { return; }
    link.addEventListener("click", function () {
        var url = new URL(link.href, document.baseURI);
        var typed = email.value.trim();
        if (typed) { url.searchParams.set("email", typed); } else { url.searchParams.delete("email"); }
        link.href = url.toString();
    });
})();
