window.Vendor = { version: "1.0" };
